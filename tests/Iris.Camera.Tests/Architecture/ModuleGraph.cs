using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Iris.Camera.Tests.Architecture;

/// <summary>
/// Which capability uses which, read from compiled IL (signatures, base types, attributes, and every type, field
/// and method a method body touches), so a dependency cannot hide in a lambda or a fully qualified name.
/// A capability is the first namespace segment below the root (Iris.Camera.Accounts.X belongs to Accounts).
/// </summary>
internal static class ModuleGraph
{
    public static IReadOnlySet<(string From, string To)> Edges(string assemblyPath, string rootNamespace)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        var edges = new HashSet<(string, string)>();
        foreach (var type in assembly.MainModule.GetTypes())
        {
            var from = CapabilityOf(OuterMost(type).Namespace, rootNamespace);
            if (from is null)
            {
                continue;
            }

            foreach (var used in Referenced(type))
            {
                var to = CapabilityOf(OuterMost(used).Namespace, rootNamespace);
                if (to is not null && to != from)
                {
                    edges.Add((from, to));
                }
            }
        }

        return edges;
    }

    /// <summary>Every cycle's members, as found by a depth-first search; empty when the graph is acyclic.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var state = new Dictionary<string, int>();
        var stack = new List<string>();
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            state[node] = 1;
            stack.Add(node);
            foreach (var target in next.GetValueOrDefault(node, []))
            {
                if (state.GetValueOrDefault(target) == 1)
                {
                    cycles.Add([.. stack.Skip(stack.IndexOf(target)), target]);
                }
                else if (state.GetValueOrDefault(target) == 0)
                {
                    Visit(target);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
        }

        foreach (var node in next.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0)
            {
                Visit(node);
            }
        }

        return cycles;
    }

    private static string? CapabilityOf(string ns, string root)
    {
        if (!ns.StartsWith(root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static TypeReference OuterMost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static IEnumerable<TypeReference> Referenced(TypeDefinition type)
    {
        if (type.BaseType is not null)
        {
            foreach (var t in Expand(type.BaseType))
            {
                yield return t;
            }
        }

        foreach (var t in type.Interfaces.SelectMany(i => Expand(i.InterfaceType))
            .Concat(type.CustomAttributes.SelectMany(Attribute))
            .Concat(type.Fields.SelectMany(f => Expand(f.FieldType).Concat(f.CustomAttributes.SelectMany(Attribute))))
            .Concat(type.Properties.SelectMany(p => Expand(p.PropertyType)))
            .Concat(type.Methods.SelectMany(Method)))
        {
            yield return t;
        }
    }

    private static IEnumerable<TypeReference> Method(MethodDefinition method)
    {
        foreach (var t in Expand(method.ReturnType)
            .Concat(method.Parameters.SelectMany(p => Expand(p.ParameterType)))
            .Concat(method.CustomAttributes.SelectMany(Attribute)))
        {
            yield return t;
        }

        if (!method.HasBody)
        {
            yield break;
        }

        foreach (var variable in method.Body.Variables)
        {
            foreach (var t in Expand(variable.VariableType))
            {
                yield return t;
            }
        }

        foreach (var instruction in method.Body.Instructions)
        {
            var operand = instruction.Operand switch
            {
                TypeReference t => Expand(t),
                MethodReference m => Expand(m.DeclaringType).Concat(Expand(m.ReturnType)).Concat(m.Parameters.SelectMany(p => Expand(p.ParameterType)))
                    .Concat(m is GenericInstanceMethod g ? g.GenericArguments.SelectMany(Expand) : []),
                FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                _ => [],
            };
            foreach (var t in operand)
            {
                yield return t;
            }
        }
    }

    private static IEnumerable<TypeReference> Attribute(CustomAttribute attribute) =>
        Expand(attribute.AttributeType).Concat(attribute.ConstructorArguments.Select(a => a.Value).OfType<TypeReference>().SelectMany(Expand));

    /// <summary>A type with its element and generic argument types (List&lt;Foo&gt;[] yields List, Foo).</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        switch (type)
        {
            case GenericInstanceType generic:
                yield return generic.ElementType;
                foreach (var t in generic.GenericArguments.SelectMany(Expand))
                {
                    yield return t;
                }

                break;
            case TypeSpecification specification:
                foreach (var t in Expand(specification.ElementType))
                {
                    yield return t;
                }

                break;
            case GenericParameter:
                break;
            default:
                yield return type;
                break;
        }
    }
}

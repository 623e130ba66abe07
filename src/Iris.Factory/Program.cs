using Iris.Factory;

return await FactoryCli.RunAsync(args, Console.Out, Console.Error);

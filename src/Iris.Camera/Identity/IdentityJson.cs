using System.Text.Json.Serialization;

namespace Iris.Camera.Identity;

/// <summary>
/// JSON metadata of the identity files (device.json, the factory's password hash), generated at build time
/// (issue 18). The options stay those of each call (<see cref="IdentityStore.DescriptorJson"/>, defaults).
/// </summary>
[JsonSerializable(typeof(IdentityDescriptor))]
[JsonSerializable(typeof(FactoryPackage.ProvisionedPasswordHash))]
internal sealed partial class IdentityJson : JsonSerializerContext;

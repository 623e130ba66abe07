using System.Text.Json.Serialization;

namespace Iris.Camera.Accounts;

[JsonConverter(typeof(JsonStringEnumConverter<Role>))]
public enum Role
{
    Viewer,
    Administrator,
}

/// <summary>An account as stored. The password hash never leaves the Accounts folder.</summary>
public sealed record Account(long Id, string Username, Role Role, PasswordHash Password, bool MustChangePassword, bool Disabled);

internal static class RoleNames
{
    public static string ToDatabase(Role role) => role == Role.Administrator ? "administrator" : "viewer";

    public static Role FromDatabase(string value) => value == "administrator" ? Role.Administrator : Role.Viewer;
}

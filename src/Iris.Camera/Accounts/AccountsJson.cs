using System.Text.Json.Serialization;

namespace Iris.Camera.Accounts;

/// <summary>
/// JSON metadata of the sign-in and account endpoints and of the sealed default-password hash, generated at build
/// time (issue 18). Default options: the hash is stored as the reflection serializer wrote it before.
/// </summary>
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(PasswordStrengthRequest))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(ResetPasswordRequest))]
[JsonSerializable(typeof(NonceResponse))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(PasswordStrengthView))]
[JsonSerializable(typeof(UserSummary))]
[JsonSerializable(typeof(UserSummary[]))]
[JsonSerializable(typeof(PasswordHash))]
internal sealed partial class AccountsJson : JsonSerializerContext;

namespace Iris.Camera.Accounts;

/// <summary>
/// A module that keeps records naming an account outside the Accounts tables (consent given by an administrator).
/// When the account is deleted, the holder removes the name; a record that documents a choice may stay, nameless.
/// </summary>
internal interface IAccountDataHolder
{
    void ForgetAccount(string username);
}

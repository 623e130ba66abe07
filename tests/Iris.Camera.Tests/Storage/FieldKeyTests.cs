using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Storage;

namespace Iris.Camera.Tests.Storage;

/// <summary>The database's field encryption: what opens, what refuses to, and what the blind index reveals.</summary>
public sealed class FieldKeyTests
{
    private static readonly byte[] DataKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void ASealedField_OpensInItsContext_AndHoldsNoPlaintext()
    {
        using var key = new FieldKey(DataKey);
        var sealedField = key.Seal("visitor-anna"u8, "accounts.sealed\0k1");

        Assert.Equal("visitor-anna", Encoding.UTF8.GetString(key.Open(sealedField, "accounts.sealed\0k1")!));
        Assert.True(sealedField.AsSpan().IndexOf("visitor-anna"u8) < 0);
        Assert.NotEqual(sealedField, key.Seal("visitor-anna"u8, "accounts.sealed\0k1"));
    }

    [Fact]
    public void ASealedField_RefusesAnotherContext_AFlippedBit_AndAnotherKey()
    {
        using var key = new FieldKey(DataKey);
        using var other = new FieldKey(RandomNumberGenerator.GetBytes(32));
        var sealedField = key.Seal("10.1.2.3"u8, "sessions.source");
        var flipped = (byte[])sealedField.Clone();
        flipped[^1] ^= 1;

        Assert.Null(key.Open(sealedField, "known_sources.source"));
        Assert.Null(key.Open(flipped, "sessions.source"));
        Assert.Null(other.Open(sealedField, "sessions.source"));
        Assert.Null(key.OpenText("10.1.2.3", "sessions.source"));
    }

    [Fact]
    public void TheBlindIndex_MatchesEqualValuesUnderOneKey_AndNothingUnderAnother()
    {
        using var key = new FieldKey(DataKey);
        using var other = new FieldKey(RandomNumberGenerator.GetBytes(32));

        Assert.Equal(key.Index("admin", "accounts.username"), key.Index("admin", "accounts.username"));
        Assert.NotEqual(key.Index("admin", "accounts.username"), key.Index("admin2", "accounts.username"));
        Assert.NotEqual(key.Index("admin", "accounts.username"), key.Index("admin", "known_sources.source"));
        Assert.NotEqual(key.Index("admin", "accounts.username"), other.Index("admin", "accounts.username"));
        Assert.DoesNotContain("admin", key.Index("admin", "accounts.username"), StringComparison.Ordinal);
    }
}

using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Iris.Lab.Firmware;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Firmware;

/// <summary>Generated firmware images: plain, compressed and encrypted are told apart, and planted secrets are found.</summary>
public sealed class FirmwareProbeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void PlainCompressedAndEncryptedImages_AreToldApart()
    {
        var tar = RootFs("plain.tar", planted: false);
        var gz = Gzip(tar, "image.tar.gz");
        var encrypted = Encrypt(tar, "image.bin");

        Assert.Equal(ImageKind.Plain, ImageClassifier.Classify(tar).Kind);
        Assert.Equal(ImageKind.Compressed, ImageClassifier.Classify(gz).Kind);
        var cipher = ImageClassifier.Classify(encrypted);
        Assert.Equal(ImageKind.Encrypted, cipher.Kind);
        // Entropy alone cannot tell them apart: both are above 7.9 bits per byte.
        Assert.True(ImageClassifier.Classify(gz).Entropy > 7.9 && cipher.Entropy > 7.9);
    }

    [Fact]
    public void RawDeflateWithNoSignature_IsToldFromCiphertext_ByTheChiSquareTest()
    {
        var tar = RootFs("deflate.tar", planted: false);
        var path = dir.File("image.deflate");
        using (var input = File.OpenRead(tar))
        using (var output = File.Create(path))
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize))
        {
            input.CopyTo(deflate);
        }

        var deflated = ImageClassifier.Classify(path);
        var cipher = ImageClassifier.Classify(Encrypt(tar, "sealed.bin"));

        // Neither has a container signature and both are above 7.9 bits per byte: only the chi-square test separates them.
        Assert.Null(deflated.Format);
        Assert.True(deflated.Entropy > 7.9 && cipher.Entropy > 7.9, $"{deflated.Entropy} {cipher.Entropy}");
        Assert.True(deflated.ChiSquare > ImageClassifier.UniformLimit, deflated.Describe());
        Assert.Equal(ImageKind.Compressed, deflated.Kind);
        Assert.Equal(ImageKind.Encrypted, cipher.Kind);
    }

    [Fact]
    public async Task PlantedSecrets_InAnUnencryptedImage_FailTheFirmwareItem()
    {
        var gz = Gzip(RootFs("rootfs.tar", planted: true), "rootfs.tar.gz");

        using var run = await AuditFirmware(gz);

        run.AssertFinding("5.4.1.1", "Secret or undeclared endpoint in an unencrypted firmware image");
        var evidence = run.Evidence("5.4.1.1");
        Assert.Contains("etc/shadow", evidence, StringComparison.Ordinal);
        Assert.Contains("server.key", evidence, StringComparison.Ordinal);
        Assert.Contains("telemetry.vendor-cloud.example", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CleanUnencryptedImage_Passes_AndEncryptedImage_PassesWithoutAScan()
    {
        using var clean = await AuditFirmware(Gzip(RootFs("clean.tar", planted: false), "clean.tar.gz"));
        using var encrypted = await AuditFirmware(Encrypt(RootFs("secret.tar", planted: true), "sealed.bin"));

        Assert.True(clean.Verdict("5.4.1.1") == "pass", clean.Evidence("5.4.1.1"));
        Assert.Equal("pass", encrypted.Verdict("5.4.1.1"));
        Assert.Contains("looks encrypted", encrypted.Evidence("5.4.1.1"), StringComparison.Ordinal);
    }

    private static Task<LabRun> AuditFirmware(string image) =>
        LabRun.AuditAsync("127.0.0.1", "1", [new FirmwareProbe()], null, "--firmware", image);

    /// <summary>A small root file system: about 1 MB of text, and when planted a shadow hash, a private key and an undeclared URL.</summary>
    private string RootFs(string name, bool planted)
    {
        var path = dir.File(name);
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        var random = new Random(17);
        var words = Enumerable.Range(0, 2000).Select(_ => new string([.. Enumerable.Range(0, random.Next(2, 9)).Select(_ => (char)('a' + random.Next(26)))])).ToArray();
        var text = new StringBuilder();
        for (var line = 0; line < 12_000; line++)
        {
            text.AppendJoin(' ', Enumerable.Range(0, 12).Select(_ => words[random.Next(words.Length)])).Append('\n');
        }

        Add(tar, "usr/share/doc/readme.txt", text.ToString());
        if (planted)
        {
            Add(tar, "etc/shadow", "root:$6$rounds=5000$saltsalt$" + new string('A', 86) + ":19000:0:99999:7:::\n");
            using var rsa = RSA.Create(2048);
            Add(tar, "etc/ssl/server.key", rsa.ExportPkcs8PrivateKeyPem());
            Add(tar, "etc/init.d/report", "curl -s https://telemetry.vendor-cloud.example/upload\n");
        }

        return path;
    }

    private static void Add(TarWriter tar, string name, string content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
        tar.WriteEntry(entry);
    }

    private string Gzip(string source, string name)
    {
        var path = dir.File(name);
        using var input = File.OpenRead(source);
        using var output = File.Create(path);
        using var gzip = new GZipStream(output, CompressionLevel.SmallestSize);
        input.CopyTo(gzip);
        return path;
    }

    /// <summary>AES-256-GCM under a random key, as a vendor's encrypted image would be: nonce, tag, ciphertext.</summary>
    private string Encrypt(string source, string name)
    {
        var plain = File.ReadAllBytes(source);
        var cipher = new byte[plain.Length];
        var nonce = RandomNumberGenerator.GetBytes(12);
        var tag = new byte[16];
        using (var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }

        var path = dir.File(name);
        File.WriteAllBytes(path, [.. nonce, .. tag, .. cipher]);
        return path;
    }
}

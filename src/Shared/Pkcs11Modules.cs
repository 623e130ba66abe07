using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Iris.Shared;

/// <summary>
/// One loaded PKCS#11 module per path for the life of the process (C_Initialize may run only once per process),
/// shared by every user in it. Compiled into each program that talks to tokens (linked source, no extra package).
/// </summary>
internal static class Pkcs11Modules
{
    private static readonly ConcurrentDictionary<string, Lazy<IPkcs11Library>> Loaded = new(StringComparer.Ordinal);
    private static readonly Lazy<bool> LibdlResolver = new(() =>
    {
        // Pkcs11Interop asks for "libdl", which glibc 2.34+ systems ship only as libdl.so.2 (its functions moved
        // into libc); resolve it to that.
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, assembly, path) =>
                name == "libdl" && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // Already set: this file is linked into more than one assembly (camera and factory), and a process
            // that loads both (the test host) meets it twice. The first copy's resolver does the same thing.
        }

        return true;
    });

    public static Pkcs11InteropFactories Factories { get; } = new();

    /// <exception cref="IOException">The module is missing or is not a PKCS#11 library (the message says which and where).</exception>
    public static IPkcs11Library Get(string modulePath)
    {
        _ = LibdlResolver.Value;
        return Loaded.GetOrAdd(modulePath, path => new Lazy<IPkcs11Library>(() => Load(path))).Value;
    }

    /// <summary>
    /// A module that is not there or will not load is a setup mistake (package not installed, wrong path): it is
    /// said so, as an IOException every caller reports as a message, instead of Pkcs11Interop's own exception.
    /// </summary>
    private static IPkcs11Library Load(string path)
    {
        if (Path.IsPathRooted(path) && !File.Exists(path))
        {
            throw new FileNotFoundException($"The PKCS#11 module '{path}' does not exist (is the token's package installed? SoftHSM2's is /usr/lib/softhsm/libsofthsm2.so).", path);
        }

        try
        {
            return Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, path, AppType.MultiThreaded);
        }
        catch (UnmanagedException e)
        {
            throw new IOException($"The PKCS#11 module '{path}' could not be loaded: {e.Message}", e);
        }
    }

    /// <summary>The slot holding the token with this label, or null.</summary>
    public static ISlot? FindToken(string modulePath, string tokenLabel) =>
        Get(modulePath).GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == tokenLabel);
}

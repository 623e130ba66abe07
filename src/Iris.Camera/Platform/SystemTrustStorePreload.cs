using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Platform;

/// <summary>
/// Loads the system CA store on a thread-pool thread as the daemon starts. The first TLS handshake builds the device
/// certificate's context (<c>SslStreamCertificateContext.Create</c> always builds an X.509 chain), and the first chain
/// built in a process reads and parses every certificate under the system store, once: about a tenth of a restart's
/// CPU in the AOT daemon, spent while the first client waits (docs/benchmarks.md, "Where the AOT start-up goes").
/// Loaded here it runs beside the building of the services on the second core, and the handshake finds it cached.
/// Nothing waits for it: should it fail, the first chain build meets the same and copes as it always did.
/// </summary>
internal static class SystemTrustStorePreload
{
    public static void Start() => ThreadPool.UnsafeQueueUserWorkItem(static _ => Load(), null);

    private static void Load()
    {
        try
        {
            // The machine root store and the chain builder share one cache of the system certificates (per process,
            // refreshed when the store's files change).
            using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            store.Open(OpenFlags.ReadOnly);
            foreach (var certificate in store.Certificates)
            {
                certificate.Dispose();
            }
        }
        catch (CryptographicException)
        {
            // No readable store here; see the summary.
        }
    }
}

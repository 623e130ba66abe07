using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>Consent records and the sent-payload history: declared here, and deleted only here.</summary>
internal sealed class TelemetryData(TelemetryConsentStore consent, TelemetrySentHistory sent, IDataKeys keys) : IStoredData
{
    public const string KindId = "telemetry";

    public IEnumerable<DataKind> Kinds =>
    [
        new(KindId, "Telemetry", true,
            "Health and usage counters (nothing personal) sent to the vendor only after an administrator consents; the consent record, which names that administrator, with time and text version.",
            "Consent records are kept (the owner's choices); the last 100 sent payloads, for the owner to inspect.",
            "Sent-payload history, and the account names in the consent records; the grants and withdrawals stay, so deleting never ends or hides consent (withdraw it to stop sending).",
            ["telemetry_consent", "telemetry_sent"], []),
    ];

    public IEnumerable<string> Deletable => [KindId];

    public int Count(string kindId) => sent.Count() + consent.CountNamed();

    public IEnumerable<DataLocation> Locations => [new(KindId, [], ["vault/data-key.telemetry.sealed"])];

    /// <summary>
    /// Deletes the payloads and the names, then destroys the telemetry field key: copies of them the disk still
    /// holds (WAL frames, free blocks) no longer open. The next payload or grant is sealed under a new key.
    /// </summary>
    public int DeleteKind(string kindId, ErasureRequest request)
    {
        var removed = sent.DeleteAll() + consent.ForgetAccounts();
        keys.Destroy(TelemetrySentHistory.KeyName);
        return removed;
    }
}

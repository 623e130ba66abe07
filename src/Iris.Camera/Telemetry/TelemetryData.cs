using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>Consent records and the sent-payload history: declared here, and deleted only here.</summary>
internal sealed class TelemetryData(TelemetryConsentStore consent, TelemetrySentHistory sent) : IStoredData
{
    public const string KindId = "telemetry";

    public IEnumerable<DataKind> Kinds =>
    [
        new(KindId, "Telemetry", true,
            "Health and usage counters (nothing personal) sent to the vendor only after an administrator consents; the consent record, which names that administrator, with time and text version.",
            "Consent records until deleted; the last 100 sent payloads, for the owner to inspect.",
            "Sent-payload history and consent records (withdraw consent first to stop sending).",
            ["telemetry_consent", "telemetry_sent"], []),
    ];

    public IEnumerable<string> Deletable => [KindId];

    public int Count(string kindId) => sent.Count() + consent.Count();

    public int DeleteKind(string kindId, ErasureRequest request)
    {
        return sent.DeleteAll() + consent.DeleteAll();
    }
}

namespace Iris.Factory.Gate;

/// <summary>
/// What the gate found, and what it took to look (the tests hold the buffers to a bound). Findings stop a release;
/// review items (high-entropy data of unknown type) do not, but are listed so a person looks at each one.
/// </summary>
internal sealed class GateReport
{
    private readonly List<string> _findings = [];
    private readonly List<string> _review = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Findings => _findings;

    public IReadOnlyList<string> Review => _review;

    public long BytesScanned { get; set; }

    /// <summary>The largest buffer any scan held, in bytes: bounded by the window size, not by the size of the files.</summary>
    public int LargestBuffer { get; private set; }

    public void Add(string finding)
    {
        if (_seen.Add(finding))
        {
            _findings.Add(finding);
        }
    }

    public void AddReview(string item)
    {
        if (_seen.Add(item))
        {
            _review.Add(item);
        }
    }

    public void Held(int bytes) => LargestBuffer = Math.Max(LargestBuffer, bytes);
}

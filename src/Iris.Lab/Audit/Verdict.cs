namespace Iris.Lab.Audit;

/// <summary>What the lab concludes about one item. <see cref="Manual"/> means only a document review can decide.</summary>
internal enum Verdict
{
    Pass,
    Fail,
    Inconclusive,
    Manual,
}

internal enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>A problem found on the target: which item it breaks, what was seen, and how anyone can see it again.</summary>
internal sealed record Finding(string Item, Severity Severity, string Title, string Evidence, string Reproduce);

/// <summary>One probe's judgement of one item (pass, fail or inconclusive) and the facts it rests on.</summary>
internal sealed record Observation(string Item, string Probe, Verdict Verdict, string Evidence);

internal static class VerdictNames
{
    public static string Of(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "pass",
        Verdict.Fail => "fail",
        Verdict.Inconclusive => "inconclusive",
        _ => "manual",
    };

    public static string Of(Severity severity) => severity switch
    {
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        _ => "critical",
    };
}

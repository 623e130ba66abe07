using System.Text;
using System.Text.RegularExpressions;

namespace Iris.Factory.Gate;

/// <summary>
/// Runs patterns over text of any length that arrives in pieces, holding one window of it at a time, so the
/// release gate's memory does not grow with the file. A full window is scanned; a match is taken when it starts
/// before the window's last <see cref="Overlap"/> characters; the window then slides so the next one starts
/// <see cref="Context"/> characters (for look-behind) before the first character not yet covered, and each
/// pattern resumes after its last match. While no match with its look-around is longer than the overlap, this
/// finds exactly what one scan over the whole text finds; the gate's patterns are bounded for that.
/// </summary>
internal sealed class WindowedMatcher
{
    public const int Overlap = 4096;
    public const int Context = 64;
    private readonly Regex[] _patterns;
    private readonly Action<int, string> _found;
    private readonly char[] _window;
    private readonly long[] _resumeAt;
    private long _offset;
    private int _length;
    private int _acceptFrom;

    /// <param name="windowChars">Characters taken per window (the window holds the overlap and context besides).</param>
    /// <param name="patterns">Patterns to run; each match is reported with the pattern's index.</param>
    /// <param name="found">Called once per match, in order, with the pattern index and the matched text.</param>
    public WindowedMatcher(int windowChars, Regex[] patterns, Action<int, string> found)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowChars, 1);
        _patterns = patterns;
        _found = found;
        _window = new char[Context + windowChars + Overlap];
        _resumeAt = new long[patterns.Length];
    }

    /// <summary>Bytes this matcher holds, whatever the length of the text.</summary>
    public int BufferBytes => _window.Length * sizeof(char);

    /// <summary>Appends bytes as Latin-1 characters: one character per byte, so any binary reads as text.</summary>
    public void AppendLatin1(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var count = Math.Min(bytes.Length, _window.Length - _length);
            Encoding.Latin1.GetChars(bytes[..count], _window.AsSpan(_length));
            _length += count;
            bytes = bytes[count..];
            if (_length == _window.Length)
            {
                Slide();
            }
        }
    }

    /// <summary>Appends bytes with every zero byte left out, so UTF-16 text (how .NET stores string literals) reads as text.</summary>
    public void AppendWithoutZeros(ReadOnlySpan<byte> bytes)
    {
        while (bytes.IndexOfAnyExcept((byte)0) is var start and >= 0)
        {
            bytes = bytes[start..];
            var end = bytes.IndexOf((byte)0);
            var run = end < 0 ? bytes : bytes[..end];
            AppendLatin1(run);
            bytes = bytes[run.Length..];
        }
    }

    /// <summary>End of text: everything not yet scanned is scanned.</summary>
    public void Finish() => Scan(_length);

    private void Slide()
    {
        var acceptTo = _length - Overlap;
        Scan(acceptTo);
        var keep = acceptTo - Context;
        _window.AsSpan(keep, _length - keep).CopyTo(_window);
        _offset += keep;
        _length -= keep;
        _acceptFrom = Context;
    }

    private void Scan(int acceptTo)
    {
        var text = _window.AsSpan(0, _length);
        for (var i = 0; i < _patterns.Length; i++)
        {
            var start = (int)Math.Max(_acceptFrom, _resumeAt[i] - _offset);
            if (start >= acceptTo)
            {
                continue;
            }

            foreach (var match in _patterns[i].EnumerateMatches(text, start))
            {
                if (match.Index >= acceptTo)
                {
                    break;
                }

                _found(i, text.Slice(match.Index, match.Length).ToString());
                _resumeAt[i] = _offset + match.Index + Math.Max(match.Length, 1);
            }
        }
    }
}

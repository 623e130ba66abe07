using System.Net.Http.Headers;

namespace Iris.Lab.Auth;

/// <summary>
/// A sign-in request exactly as it went on the wire (method, path, Authorization header, body), so the lab can
/// send it again byte for byte, as an attacker who captured it would (5.1.1.3).
/// </summary>
internal sealed record CapturedRequest(string Method, string Path, string? Authorization, byte[]? Body, string? ContentType)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path, UriKind.Relative));
        if (Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }

        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
            }
        }

        return message;
    }
}

using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Serialization;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Web;

/// <summary>The shared body-validation mechanism every endpoint uses (5.5.2.1): each refusal names the field.</summary>
public sealed class JsonBodyTests
{
    public sealed class SampleRequest
    {
        [Required]
        [StringLength(32, MinimumLength = 3)]
        [PlainText]
        public string? Name { get; set; }

        [Range(1, 100)]
        public int Count { get; set; } = 1;

        public bool Enabled { get; set; }
    }

    [Fact]
    public async Task ValidBody_IsAccepted()
    {
        var read = await ReadAsync("""{"name":"front door","count":5,"enabled":true}""");

        Assert.True(read.Succeeded);
        Assert.Equal("front door", read.Value!.Name);
        Assert.Equal(5, read.Value.Count);
    }

    [Theory]
    [InlineData("""{"name":"abc","isAdmin":true}""", "isAdmin")]          // unknown member
    [InlineData("""{"name":123}""", "name")]                               // wrong type
    [InlineData("""{"name":"abc","count":"5"}""", "count")]              // number in a string
    [InlineData("""{"name":"abc","count":1.5}""", "count")]              // fraction for an integer
    [InlineData("""{"name":"abc","count":99999999999999}""", "count")]   // overflows int
    [InlineData("""{"name":"abc","enabled":"yes"}""", "enabled")]        // wrong type
    [InlineData("""{"name":"abc","count":500}""", "count")]              // out of range
    [InlineData("""{"name":"ab"}""", "name")]                              // too short
    [InlineData("""{"count":3}""", "name")]                                // missing required
    [InlineData("""{"name":null}""", "name")]                              // null for required
    [InlineData("""{"name":"abc\u0000def"}""", "name")]                   // control character
    [InlineData("""{"name":"abc\u202Eevil"}""", "name")]                  // bidi override
    [InlineData("""{"name":"abc\uD800x"}""", "name")]                     // lone surrogate
    [InlineData("""{"name":"abc","name":"def"}""", "name")]               // duplicate member
    public async Task InvalidField_IsRefusedNamingTheField(string body, string field)
    {
        var read = await ReadAsync(body);

        var problem = Assert.IsType<ValidationProblem>(read.Problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.True(problem.ProblemDetails.Errors.ContainsKey(field),
            $"expected an error for '{field}', got: {string.Join(", ", problem.ProblemDetails.Errors.Keys)}");
    }

    [Fact]
    public async Task OverLongString_IsRefusedNamingTheField()
    {
        var read = await ReadAsync($$"""{"name":"{{new string('a', 33)}}"}""");

        var problem = Assert.IsType<ValidationProblem>(read.Problem);
        Assert.Contains("name", problem.ProblemDetails.Errors.Keys);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("{\"name\":\"abc\"} trailing")]
    [InlineData("{\"name\":\"abc\",}")]
    [InlineData("/* comment */ {\"name\":\"abc\"}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")]
    public async Task MalformedJson_IsRefusedWithAProblem(string body)
    {
        var read = await ReadAsync(body);

        Assert.False(read.Succeeded);
        Assert.IsType<ValidationProblem>(read.Problem);
    }

    [Fact]
    public async Task InvalidUtf8_IsRefusedWithAProblem()
    {
        var read = await ReadAsync([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], "application/json");

        Assert.IsType<ValidationProblem>(read.Problem);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task WrongContentType_IsRefusedWith415(string? contentType)
    {
        var read = await ReadAsync(Encoding.UTF8.GetBytes("""{"name":"abc"}"""), contentType);

        var problem = Assert.IsType<ProblemHttpResult>(read.Problem);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, problem.StatusCode);
    }

    // The daemon's HTTP JSON options hold source-generated metadata only (Hosting/HttpJsonContexts); these hold the sample's.
    private static readonly IServiceProvider Services = new ServiceCollection()
        .ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, JsonBodyTestsJson.Default)).BuildServiceProvider();

    private static Task<BodyRead<SampleRequest>> ReadAsync(string body) =>
        ReadAsync(Encoding.UTF8.GetBytes(body), "application/json; charset=utf-8");

    private static Task<BodyRead<SampleRequest>> ReadAsync(byte[] body, string? contentType)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentType = contentType;
        return JsonBody.ReadAsync<SampleRequest>(context.Request, CancellationToken.None);
    }
}

[JsonSerializable(typeof(JsonBodyTests.SampleRequest))]
internal sealed partial class JsonBodyTestsJson : JsonSerializerContext;

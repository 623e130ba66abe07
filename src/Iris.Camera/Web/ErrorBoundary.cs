using System.Text.Json;

namespace Iris.Camera.Web;

/// <summary>
/// The outermost handler of exceptions (it replaces ASP.NET Core's exception handler middleware, whose logger
/// writes every exception with its stack, a client's malformed request included). It decides whose fault an
/// exception is:
/// <list type="bullet">
/// <item>the client's: a <see cref="BadHttpRequestException"/> anywhere in the exception's chain, a request body
/// that could not be read (<see cref="RequestBodyMonitor"/>), or a JSON error after the body was read. Answered
/// 4xx problem details, logged as one rate-limited line (<see cref="ClientFaultLog"/>);</item>
/// <item>nobody's: the client went away (the request was aborted). Nothing to answer; a debug line;</item>
/// <item>the device's: anything else. Answered 500 problem details, logged once with its stack and without any
/// request content.</item>
/// </list>
/// No exception passes this point, so Kestrel never logs one or writes its own bare 500.
/// </summary>
internal static partial class ErrorBoundary
{
    private const string LoggerCategory = "Iris.Camera.Web.ErrorBoundary";

    public static IApplicationBuilder UseErrorBoundary(this IApplicationBuilder app)
    {
        var faults = app.ApplicationServices.GetRequiredService<ClientFaultLog>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory);
        return app.Use(async (context, next) =>
        {
            var body = new RequestBodyMonitor(context.Request.Body);
            context.Request.Body = body;
            try
            {
                await next(context);
            }
            catch (Exception ex)
            {
                await HandleAsync(context, ex, body, faults, logger);
            }
        });
    }

    /// <summary>How the boundary answers one exception: null when the client is gone and nothing can be answered.</summary>
    internal static Fault? Classify(Exception error, bool requestAborted, bool bodyFaulted, bool bodyWasRead)
    {
        if (requestAborted && error is OperationCanceledException or IOException)
        {
            return null;
        }

        var bad = Find<BadHttpRequestException>(error);
        if (bad is not null)
        {
            return ForStatus(bad.StatusCode);
        }

        if (bodyFaulted)
        {
            return ForStatus(StatusCodes.Status400BadRequest);
        }

        // Bodies are read through JsonBody, which answers JSON errors itself; a JsonException that escapes a
        // handler after it read the body still comes from what the client sent.
        if (bodyWasRead && Find<JsonException>(error) is not null)
        {
            return new Fault(StatusCodes.Status400BadRequest, "invalid-body", "The request body is not acceptable.", FromClient: true);
        }

        return new Fault(StatusCodes.Status500InternalServerError, "internal", "The device could not complete the request.", FromClient: false);
    }

    private static async Task HandleAsync(HttpContext context, Exception error, RequestBodyMonitor body, ClientFaultLog faults, ILogger logger)
    {
        var where = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "no endpoint";
        var fault = Classify(error, context.RequestAborted.IsCancellationRequested, body.Faulted, body.WasRead);
        if (fault is null)
        {
            LogClientGone(logger, where);
            return;
        }

        if (fault.FromClient)
        {
            faults.Record(fault.Type, fault.Status, where);
        }
        else
        {
            LogServerFault(logger, Truncate(context.Request.Method), where, context.TraceIdentifier, error);
        }

        if (context.Response.HasStarted)
        {
            // Part of a response is on the wire: the only honest end is to cut the connection.
            context.Abort();
            return;
        }

        context.Response.Clear();
        await Problems.Create(fault.Status, fault.Type, fault.Title).ExecuteAsync(context);
    }

    private static Fault ForStatus(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => new(status, "body-too-large", "The request body is too large.", FromClient: true),
        StatusCodes.Status408RequestTimeout => new(status, "request-timeout", "The request arrived too slowly.", FromClient: true),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => new(status, "headers-too-large", "The request headers are too large.", FromClient: true),
        // A client's malformed request is never a server error, whatever status the exception carried.
        _ => new(status is >= 400 and <= 499 ? status : StatusCodes.Status400BadRequest, "bad-request", "The request could not be read.", FromClient: true),
    };

    private static T? Find<T>(Exception error)
        where T : Exception
    {
        var pending = new Stack<Exception>();
        pending.Push(error);
        // Bounded: a chain is short, and a hostile or cyclic one must not keep the boundary busy.
        for (var seen = 0; pending.Count > 0 && seen < 32; seen++)
        {
            var current = pending.Pop();
            if (current is T match)
            {
                return match;
            }

            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is not null)
            {
                pending.Push(current.InnerException);
            }
        }

        return null;
    }

    private static string Truncate(string method) => method.Length <= 16 ? method : method[..16];

    [LoggerMessage(EventId = 1220, Level = LogLevel.Error, Message = "Request {Method} {Where} failed on the device (trace {TraceId}).")]
    private static partial void LogServerFault(ILogger logger, string method, string where, string traceId, Exception exception);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Debug, Message = "The client left before the request to {Where} was answered.")]
    private static partial void LogClientGone(ILogger logger, string where);

    internal sealed record Fault(int Status, string Type, string Title, bool FromClient);
}

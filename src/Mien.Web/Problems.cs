using Microsoft.AspNetCore.WebUtilities;

namespace Mien.Web;

/// <summary>Every error as RFC 7807 problem details JSON with a one-line reason; never a stack trace, never an empty 500.</summary>
internal static class Problems
{
    public static Task Write(HttpContext ctx, int status, string detail)
    {
        ctx.Response.StatusCode = status;
        return Results.Problem(detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status)).ExecuteAsync(ctx);
    }

    public static async Task Middleware(HttpContext ctx, RequestDelegate next)
    {
        try { await next(ctx); }
        catch (RequestProblem e) when (!ctx.Response.HasStarted) { await Write(ctx, e.StatusCode, e.Message); }
        catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
        {
            // Kestrel's own refusals (body over MaxRequestBodySize, a malformed request): their status, a plain reason.
            string detail = e.StatusCode == 413
                ? $"the request body is over the {ctx.RequestServices.GetRequiredService<ServiceOptions>().MaxUploadBytes:N0}-byte limit (raise it with --max-body or Mien__MaxUploadBytes)."
                : $"bad request: {e.Message}";
            await Write(ctx, e.StatusCode, detail);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { } // the client went away
        catch (Exception e) when (!ctx.Response.HasStarted)
        {
            ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Mien.Web").LogError(e, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
            await Write(ctx, 500, "the service failed on this request; the error is in its log.");
        }
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mien.Web;

/// <summary>Ready when the loaded network classifies a blank face: proves the model answers, names no file.</summary>
internal sealed class ModelHealthCheck(Recognizers recognizers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var r = recognizers.Main;
        try
        {
            int side = r.Model.InputSize;
            var faces = r.PredictCrops(new byte[side * side], 1);
            return Task.FromResult(faces.Count == 1
                ? HealthCheckResult.Healthy($"{r.Model.Metadata.Spec.Name} answers ({r.ClassNames.Count} emotions)")
                : HealthCheckResult.Unhealthy("the model gave no answer"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the model failed on a test face (see the service log)", e));
        }
    }
}

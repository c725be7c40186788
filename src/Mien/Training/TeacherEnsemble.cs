using Mien.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Training;

/// <summary>
/// Knowledge distillation (Hinton et al., 2015): one or more trained models whose softened predictions a student
/// learns beside the labels. Each teacher sees the student's augmented batch renormalised to its own input statistics,
/// and speaks for the training classes only (its outputs are picked by class name, so a teacher with other classes
/// or another order still fits). A teacher's prior correction (<see cref="ModelMetadata.LogitBias"/>) is part of
/// what it says; its calibration temperature is not: the distillation temperature replaces it.
/// </summary>
internal sealed class TeacherEnsemble : IDisposable
{
    private readonly List<Teacher> _teachers;

    private sealed record Teacher(EmotionModel Model, Tensor Outputs, Tensor? Bias, bool ChannelsLast, float Scale, float Shift);

    private TeacherEnsemble(List<Teacher> teachers, double temperature) { _teachers = teachers; Temperature = temperature; }

    /// <summary>The distillation temperature: both sides' logits are divided by it.</summary>
    public double Temperature { get; }

    /// <summary>Loads the teachers for a student with these classes, input size and normalisation.</summary>
    public static TeacherEnsemble Load(IReadOnlyList<string> paths, IReadOnlyList<string> classNames, int inputSize, float mean, float std, double temperature)
    {
        var teachers = new List<Teacher>();
        try
        {
            foreach (var path in paths)
            {
                var m = EmotionModel.Load(path, InferencePrecision.Float32);
                try { teachers.Add(Prepare(path, m, classNames, inputSize, mean, std)); }
                catch { m.Dispose(); throw; }
            }
        }
        catch
        {
            foreach (var t in teachers) Dispose(t);
            throw;
        }
        return new TeacherEnsemble(teachers, temperature);
    }

    private static Teacher Prepare(string path, EmotionModel m, IReadOnlyList<string> classNames, int inputSize, float mean, float std)
    {
        if (m.Metadata.InputSize != inputSize)
            throw new ArgumentException($"teacher '{path}' takes {m.Metadata.InputSize}x{m.Metadata.InputSize} faces and the student {inputSize}x{inputSize}: " +
                                        "train the student at the teacher's input size (--image-size).");
        var known = m.ClassNames.ToList();
        var missing = classNames.Where(c => !known.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"teacher '{path}' has no output for {string.Join(", ", missing)} (it knows {string.Join(", ", known)}): " +
                                        "leave the class out (--drop-class) or use a teacher that knows it.");
        var index = classNames.Select(c => (long)known.IndexOf(c)).ToArray();
        m.Network.eval();
        foreach (var p in m.Network.parameters()) p.requires_grad_(false);
        // The student's input is x = (p - mean) / std; the teacher's own is (p - mT) / sT = x * std / sT + (mean - mT) / sT.
        return new Teacher(m, torch.tensor(index),
            m.Metadata.LogitBias is { } b ? torch.tensor(index.Select(i => b[(int)i]).ToArray(), [1, index.Length]) : null,
            MemoryLayout.CanTrainChannelsLast(m.Network), std / m.Metadata.Std, (mean - m.Metadata.Mean) / m.Metadata.Std);
    }

    private static void Dispose(Teacher t) { t.Model.Dispose(); t.Outputs.Dispose(); t.Bias?.Dispose(); }

    /// <summary>The teachers' mean probabilities at <see cref="Temperature"/> for a student-normalised batch (N x 1 x H x W), N x classes.</summary>
    public Tensor SoftTargets(Tensor x)
    {
        using var noGrad = torch.no_grad();
        Tensor? sum = null;
        foreach (var t in _teachers)
        {
            var input = x * t.Scale + t.Shift;
            var logits = t.Model.Network.forward(t.ChannelsLast ? MemoryLayout.GreyAsChannelsLast(input) : input).index_select(1, t.Outputs);
            if (t.Bias is not null) logits = logits + t.Bias;
            var p = nn.functional.softmax(logits / Temperature, 1);
            sum = sum is null ? p : sum + p;
        }
        return sum! / _teachers.Count;
    }

    /// <summary>
    /// T² · KL(targets ‖ softmax(student / T)), per image or its mean. The T² keeps the gradients' size as T changes
    /// (Hinton et al.), so the weight between this and the label loss means the same at any temperature.
    /// </summary>
    public static Tensor Loss(Tensor studentLogits, Tensor softTargets, double temperature, bool reduce = true)
    {
        var logp = nn.functional.log_softmax(studentLogits / temperature, 1);
        var kl = (softTargets * (softTargets.clamp_min(1e-12).log() - logp)).sum(1) * (temperature * temperature);
        return reduce ? kl.mean() : kl;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _teachers) Dispose(t);
        _teachers.Clear();
    }
}

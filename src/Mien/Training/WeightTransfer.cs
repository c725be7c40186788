using Mien.Models;
using TorchSharp;

namespace Mien.Training;

/// <summary>
/// Copies a trained model's weights into a new model of the same architecture, for fine-tuning on other data.
/// Every tensor whose name and shape match is copied. The classifier, whose rows are classes, is copied row by
/// row for the classes both models know (by name: a FER2013 model's "happy" row starts CK+'s "happy"); classes
/// only the new data has keep their fresh initialisation.
/// </summary>
public static class WeightTransfer
{
    /// <summary>The prefix of the builder's classifier tensors.</summary>
    internal const string Classifier = "classifier.";

    /// <summary>Copies the source's weights into the target by name and shape, classifier rows by class name; optionally freezes the features.</summary>
    public static WeightTransferResult Apply(EmotionModel source, EmotionModel target, bool freezeFeatures)
    {
        var from = source.Network.state_dict();
        var to = target.Network.state_dict();
        var sourceIndex = source.ClassNames.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.OrdinalIgnoreCase);
        var kept = target.ClassNames.Where(sourceIndex.ContainsKey).ToList();
        var fresh = target.ClassNames.Where(c => !sourceIndex.ContainsKey(c)).ToList();
        int copied = 0;
        using (torch.no_grad())
        {
            foreach (var (name, tensor) in to)
            {
                if (!from.TryGetValue(name, out var src)) continue;
                if (name.StartsWith(Classifier, StringComparison.Ordinal))
                {
                    // weight [classes, features] and bias [classes]: row by class name.
                    if (src.shape.Skip(1).SequenceEqual(tensor.shape.Skip(1)))
                    {
                        for (int j = 0; j < target.ClassNames.Count; j++)
                            if (sourceIndex.TryGetValue(target.ClassNames[j], out int i)) tensor[j].copy_(src[i]);
                        copied++;
                    }
                }
                else if (src.shape.SequenceEqual(tensor.shape))
                {
                    tensor.copy_(src);
                    copied++;
                }
            }
        }
        if (freezeFeatures)
            foreach (var (name, p) in target.Network.named_parameters())
                if (!name.StartsWith(Classifier, StringComparison.Ordinal)) p.requires_grad_(false);
        return new WeightTransferResult(to.Count, copied, kept, fresh);
    }
}

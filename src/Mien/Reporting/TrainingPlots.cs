using System.Globalization;
using Mien.Evaluation;
using Mien.Training;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Mien.Reporting;

/// <summary>
/// The charts of a training or cross-validation report, drawn with ScottPlot and returned as PNG bytes
/// (callers both save them and embed them in report.html).
/// </summary>
public static class TrainingPlots
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
    private static readonly Color TrainColor = Color.FromHex("#1f77b4"), ValColor = Color.FromHex("#ff7f0e"), ThirdColor = Color.FromHex("#2ca02c");

    /// <summary>Training and validation loss per epoch; a dashed line marks the kept (best) epoch.</summary>
    public static byte[] Loss(IReadOnlyList<EpochMetrics> history, int bestEpoch = 0) =>
        Curves("Loss", "cross-entropy", history, h => h.TrainLoss, h => h.ValidationLoss, bestEpoch, percent: false);

    /// <summary>Training and validation accuracy per epoch (training accuracy is measured on augmented batches).</summary>
    public static byte[] Accuracy(IReadOnlyList<EpochMetrics> history, int bestEpoch = 0) =>
        Curves("Accuracy", "accuracy", history, h => 100 * h.TrainAccuracy, h => 100 * h.ValidationAccuracy, bestEpoch, percent: true);

    /// <summary>The learning rate at the end of each epoch.</summary>
    public static byte[] LearningRate(IReadOnlyList<EpochMetrics> history)
    {
        using var plt = NewPlot("Learning rate", "epoch", "learning rate");
        var s = plt.Add.Scatter(history.Select(h => (double)h.Epoch).ToArray(), history.Select(h => h.LearningRate).ToArray(), TrainColor);
        s.LineWidth = 2; s.MarkerSize = 5;
        plt.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plt.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = v => v == 0 ? "0" : v.ToString("0.##E+0", Ci) };
        plt.Axes.SetLimitsY(0, Math.Max(1e-12, history.Max(h => h.LearningRate)) * 1.08);
        return Png(plt, 640, 400);
    }

    /// <summary>
    /// Confusion matrix heatmap, rows = true class (top to bottom), columns = predicted. Cells show counts, or with
    /// <paramref name="normalize"/> the share of each true class (row) in percent, so rare classes stay readable.
    /// </summary>
    public static byte[] Confusion(ClassificationReport report, bool normalize, string? title = null)
    {
        int k = report.ClassNames.Count;
        var values = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            double row = Enumerable.Range(0, k).Sum(j => report.Confusion[i, j]);
            for (int j = 0; j < k; j++)
                values[i, j] = normalize ? (row == 0 ? 0 : 100.0 * report.Confusion[i, j] / row) : report.Confusion[i, j];
        }
        using var plt = NewPlot(title ?? (normalize ? "Confusion matrix (% of each true class)" : "Confusion matrix (counts)"), "predicted", "true");
        plt.HideGrid();
        var hm = plt.Add.Heatmap(values); // row 0 is drawn at the top
        hm.Colormap = new ScottPlot.Colormaps.Blues().Reversed(); // white at 0, deep blue at the maximum
        double max = Math.Max(1e-9, values.Cast<double>().Max());
        if (normalize) hm.ManualRange = new ScottPlot.Range(0, 100);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                var t = plt.Add.Text(normalize ? $"{values[i, j]:0}%" : report.Confusion[i, j].ToString(Ci), j, k - 1 - i);
                t.LabelAlignment = Alignment.MiddleCenter;
                t.LabelFontSize = k > 8 ? 10 : 13;
                // Dark (high) cells get white text.
                t.LabelFontColor = values[i, j] / (normalize ? 100 : max) > 0.55 ? Colors.White : Colors.Black;
            }
        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plt.Axes.Bottom.SetTicks(positions, report.ClassNames.ToArray());
        plt.Axes.Left.SetTicks(positions, report.ClassNames.Reverse().ToArray());
        plt.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperLeft;
        plt.Axes.Bottom.MinimumSize = 70;
        plt.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        var bar = plt.Add.ColorBar(hm);
        bar.Axis.TickGenerator = normalize ? new NumericAutomatic { LabelFormatter = v => $"{v:0}%" } : new NumericAutomatic { IntegerTicksOnly = true };
        // ~56 px per cell: two 7-class matrices fit side by side in the report.
        return Png(plt, 200 + 56 * Math.Max(k, 5), 110 + 52 * Math.Max(k, 5));
    }

    /// <summary>Precision and recall of every class side by side, with each class's support in its label.</summary>
    public static byte[] PerClass(ClassificationReport report, string? title = null)
    {
        using var plt = NewPlot(title ?? "Precision and recall per class", "", "");
        var bars = new List<Bar>();
        for (int c = 0; c < report.PerClass.Count; c++)
        {
            var m = report.PerClass[c];
            bars.Add(new Bar { Position = 3 * c, Value = m.Precision, FillColor = TrainColor, Label = m.Precision.ToString("0.00", Ci), Size = 0.9 });
            bars.Add(new Bar { Position = 3 * c + 1, Value = m.Recall, FillColor = ValColor, Label = m.Recall.ToString("0.00", Ci), Size = 0.9 });
        }
        var plot = plt.Add.Bars(bars);
        plot.ValueLabelStyle.FontSize = 10;
        plt.Axes.Bottom.SetTicks(report.PerClass.Select((_, c) => 3.0 * c + 0.5).ToArray(),
            report.PerClass.Select(m => $"{m.ClassName} ({m.Support})").ToArray());
        plt.Axes.Bottom.MajorTickStyle.Length = 0;
        plt.XLabel("class (true images)", 13);
        UnitTicksWithLegendBand(plt, 1, v => v.ToString("0.0", Ci));
        plt.Axes.SetLimitsX(-0.8, 3 * report.PerClass.Count - 1.2);
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "precision", FillColor = TrainColor });
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "recall", FillColor = ValColor });
        return Png(plt, Math.Max(640, 120 * report.PerClass.Count), 420);
    }

    /// <summary>Cross-validation: accuracy and macro-F1 of every fold, with the mean accuracy as a dashed line.</summary>
    public static byte[] Folds(IReadOnlyList<ClassificationReport> folds)
    {
        using var plt = NewPlot("Score per fold", "fold", "");
        var bars = new List<Bar>();
        for (int f = 0; f < folds.Count; f++)
        {
            bars.Add(new Bar { Position = 3 * f, Value = 100 * folds[f].Accuracy, FillColor = TrainColor, Size = 0.9, Label = $"{100 * folds[f].Accuracy:0.#}" });
            bars.Add(new Bar { Position = 3 * f + 1, Value = 100 * folds[f].MacroF1, FillColor = ThirdColor, Size = 0.9, Label = $"{100 * folds[f].MacroF1:0.#}" });
        }
        plt.Add.Bars(bars);
        double mean = 100 * folds.Average(r => r.Accuracy);
        plt.Add.HorizontalLine(mean, 2, ValColor, LinePattern.Dashed);
        plt.Axes.Bottom.SetTicks(folds.Select((_, f) => 3.0 * f + 0.5).ToArray(), folds.Select((_, f) => (f + 1).ToString(Ci)).ToArray());
        UnitTicksWithLegendBand(plt, 100, v => $"{v:0}%");
        plt.Axes.SetLimitsX(-0.8, 3 * folds.Count - 1.2);
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "accuracy", FillColor = TrainColor });
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "macro-F1", FillColor = ThirdColor });
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = $"mean accuracy {mean:0.0}%", LineColor = ValColor, LineWidth = 2, LinePattern = LinePattern.Dashed });
        return Png(plt, Math.Max(640, 50 * folds.Count + 200), 420);
    }

    /// <summary>Cross-validation: the validation accuracy curve of every fold in one chart.</summary>
    public static byte[] FoldCurves(IReadOnlyList<IReadOnlyList<EpochMetrics>> histories)
    {
        using var plt = NewPlot("Validation accuracy per epoch, each fold", "epoch", "accuracy");
        var palette = new ScottPlot.Palettes.Category10();
        for (int f = 0; f < histories.Count; f++)
        {
            if (histories[f].Count == 0) continue;
            var s = plt.Add.Scatter(histories[f].Select(h => (double)h.Epoch).ToArray(), histories[f].Select(h => 100 * h.ValidationAccuracy).ToArray(), palette.GetColor(f));
            s.LineWidth = 1.5f; s.MarkerSize = 3; s.LegendText = $"fold {f + 1}";
        }
        plt.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plt.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = v => $"{v:0.#}%" };
        if (histories.Count <= 12) plt.ShowLegend(Alignment.LowerRight);
        return Png(plt, 640, 420);
    }

    /// <summary>
    /// Reliability diagram: the accuracy of each confidence bin as a bar (its item count on top) against the diagonal
    /// of perfect calibration. Bars below the diagonal are overconfident bins.
    /// </summary>
    public static byte[] Reliability(IReadOnlyList<ReliabilityBin> bins, string? title = null)
    {
        double ece = Calibration.ExpectedCalibrationError(bins);
        using var plt = NewPlot(title ?? $"Reliability (ECE {ece:F3})", "confidence (top-1 probability)", "accuracy");
        var bars = bins.Where(b => b.Count > 0).Select(b => new Bar
        {
            Position = (b.Lower + b.Upper) / 2, Value = b.Accuracy, Size = (b.Upper - b.Lower) * 0.92,
            FillColor = TrainColor, Label = b.Count.ToString(Ci),
        }).ToList();
        var plot = plt.Add.Bars(bars);
        plot.ValueLabelStyle.FontSize = 9;
        var diagonal = plt.Add.Scatter(new[] { 0.0, 1.0 }, new[] { 0.0, 1.0 }, ValColor);
        diagonal.LinePattern = LinePattern.Dashed; diagonal.LineWidth = 2; diagonal.MarkerSize = 0;
        var gap = plt.Add.Scatter(bins.Where(b => b.Count > 0).Select(b => (b.Lower + b.Upper) / 2).ToArray(),
                                  bins.Where(b => b.Count > 0).Select(b => b.MeanConfidence).ToArray(), Colors.Black);
        gap.LineWidth = 0; gap.MarkerSize = 6; gap.MarkerShape = MarkerShape.FilledDiamond;
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "accuracy per bin (items on top)", FillColor = TrainColor });
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "mean confidence", MarkerShape = MarkerShape.FilledDiamond, MarkerFillColor = Colors.Black, MarkerSize = 6 });
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "perfect calibration", LineColor = ValColor, LineWidth = 2, LinePattern = LinePattern.Dashed });
        plt.ShowLegend(Alignment.UpperLeft);
        var ticks = Enumerable.Range(0, 6).Select(i => i / 5.0).ToArray();
        plt.Axes.Bottom.SetTicks(ticks, ticks.Select(v => v.ToString("0.0", Ci)).ToArray());
        plt.Axes.Left.SetTicks(ticks, ticks.Select(v => v.ToString("0.0", Ci)).ToArray());
        plt.Axes.SetLimits(0, 1, 0, 1.06);
        return Png(plt, 520, 480);
    }

    /// <summary>The reliability diagrams before and after temperature scaling, side by side, on the items not fitted on.</summary>
    public static byte[] Reliability(CalibrationResult result)
    {
        var before = Reliability(result.BinsBefore, $"Before: T = {result.PreviousTemperature:0.###}, ECE {result.EceBefore:F3}");
        var after = Reliability(result.BinsAfter, $"After: T = {result.Temperature:0.###}, ECE {result.EceAfter:F3}");
        using var a = OpenCvSharp.Cv2.ImDecode(before, OpenCvSharp.ImreadModes.Color);
        using var b = OpenCvSharp.Cv2.ImDecode(after, OpenCvSharp.ImreadModes.Color);
        using var both = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.HConcat([a, b], both);
        OpenCvSharp.Cv2.ImEncode(".png", both, out var png);
        return png;
    }

    private static byte[] Curves(string title, string yLabel, IReadOnlyList<EpochMetrics> history, Func<EpochMetrics, double> train, Func<EpochMetrics, double> val, int bestEpoch, bool percent)
    {
        using var plt = NewPlot(title, "epoch", yLabel);
        var x = history.Select(h => (double)h.Epoch).ToArray();
        var a = plt.Add.Scatter(x, history.Select(train).ToArray(), TrainColor);
        a.LegendText = "training"; a.LineWidth = 2; a.MarkerSize = 5;
        var b = plt.Add.Scatter(x, history.Select(val).ToArray(), ValColor);
        b.LegendText = "validation"; b.LineWidth = 2; b.MarkerSize = 5;
        if (bestEpoch > 0)
        {
            var v = plt.Add.VerticalLine(bestEpoch, 1, Colors.Gray, LinePattern.Dashed);
            v.LegendText = $"kept epoch {bestEpoch}";
        }
        plt.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        if (percent) plt.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = v => $"{v:0.#}%" };
        plt.ShowLegend(percent ? Alignment.LowerRight : Alignment.UpperRight);
        return Png(plt, 640, 400);
    }

    /// <summary>
    /// Bar charts of scores in [0, top]: ticks only up to <paramref name="top"/>, and a band above it that holds the
    /// legend in one row, so neither a bar near the top nor its value label is ever hidden behind the legend.
    /// </summary>
    private static void UnitTicksWithLegendBand(Plot plt, double top, Func<double, string> format)
    {
        var ticks = Enumerable.Range(0, 6).Select(i => top * i / 5).ToArray();
        plt.Axes.Left.SetTicks(ticks, ticks.Select(format).ToArray());
        plt.Axes.SetLimitsY(0, top * 1.28);
        plt.ShowLegend(Alignment.UpperCenter, Orientation.Horizontal);
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        PlotFonts.Register();
        var plt = new Plot();
        plt.Title(title, 15);
        if (xLabel.Length > 0) plt.XLabel(xLabel, 13);
        if (yLabel.Length > 0) plt.YLabel(yLabel, 13);
        return plt;
    }

    private static byte[] Png(Plot plt, int width, int height) => plt.GetImageBytes(width, height, ImageFormat.Png);
}

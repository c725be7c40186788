using System.Text;
using Mien.Data;

namespace Mien.Tests.Data;

public class Fer2013CsvTests
{
    /// <summary>Builds a FER2013-style CSV from real FER images, plus bad rows.</summary>
    [Fact]
    public void Csv_rows_match_the_images_and_bad_rows_are_reported()
    {
        var images = DatasetLoader.Load(TestData.Fer2013Zip, new DatasetLoadOptions { Limit = 20 });
        using var tmp = TestData.NewTempDir();
        var sb = new StringBuilder("emotion,pixels,Usage\n");
        for (int i = 0; i < images.Count; i++)
        {
            int code = EmotionVocabulary.Fer2013Codes.ToList().IndexOf(images.ClassNames[images.Labels[i]]);
            string usage = images.Splits[i] == "train" ? "Training" : "PublicTest";
            sb.Append(code).Append(',').Append(string.Join(' ', images.Image(i).ToArray())).Append(',').Append(usage).Append('\n');
        }
        sb.Append("3,1 2 3,Training\n");                                        // wrong pixel count
        sb.Append("9," + string.Join(' ', Enumerable.Repeat("0", 2304)) + ",Training\n"); // unknown emotion
        sb.Append("2," + string.Join(' ', Enumerable.Repeat("300", 2304)) + ",Training\n"); // pixel out of range
        sb.Append("1\n");                                                       // missing fields
        string csv = tmp["fer2013.csv"];
        File.WriteAllText(csv, sb.ToString());

        var d = DatasetLoader.Load(csv);
        Assert.Equal(images.Count, d.Count);
        Assert.Equal(4, d.Problems.Count);
        Assert.Contains(d.Problems, p => p.Item.EndsWith("line " + (images.Count + 2)) && p.Reason.Contains("3 values"));
        Assert.Contains(d.Problems, p => p.Reason.Contains("'9'"));
        Assert.Contains(d.Problems, p => p.Reason.Contains("'300'"));
        Assert.True(images.Pixels.AsSpan().SequenceEqual(d.Pixels), "CSV pixels equal the image pixels");
        Assert.Equal(images.Labels.Select(l => images.ClassNames[l]), d.Labels.Select(l => d.ClassNames[l]));
        Assert.Equal(images.Splits, d.Splits);
    }

    [Theory]
    [InlineData("\"emotion\",\"pixels\",\"Usage\"", ',')]
    [InlineData("emotion;pixels;Usage", ';')]
    public void Quoted_headers_and_semicolons_read_as_commas_do(string header, char sep)
    {
        using var tmp = TestData.NewTempDir();
        string pixels = string.Join(' ', Enumerable.Range(0, 2304).Select(i => i % 256));
        File.WriteAllText(tmp["fer.csv"], $"{header}\n3{sep}\"{pixels}\"{sep}Training\n0{sep}{pixels}{sep}PublicTest\n");
        var d = DatasetLoader.Load(tmp["fer.csv"]);
        Assert.Equal(2, d.Count);
        Assert.Empty(d.Problems);
        Assert.Equal(["anger", "happy"], d.ClassNames);
        Assert.Equal(new byte[] { 0, 1, 2 }, d.Image(0)[..3].ToArray());
        Assert.Equal(new string?[] { "train", "test" }, d.Splits);
    }
}

using Mien.Data;

namespace Mien.Tests.Data;

public class EmotionVocabularyTests
{
    [Theory]
    [InlineData("anger", "anger")] [InlineData("angry", "anger")] [InlineData("Angry", "anger")]
    [InlineData("happiness", "happy")] [InlineData("happy", "happy")]
    [InlineData("sad", "sadness")] [InlineData("sadness", "sadness")]
    [InlineData("surprised", "surprise")] [InlineData("fearful", "fear")] [InlineData("disgusted", "disgust")]
    [InlineData("neutral", "neutral")] [InlineData("contempt", "contempt")]
    public void Synonyms_map_to_one_canonical_name(string raw, string canonical) =>
        Assert.Equal(canonical, EmotionVocabulary.Normalize(raw));

    [Fact]
    public void Unknown_classes_are_kept_lower_cased() => Assert.Equal("thinking", EmotionVocabulary.Normalize(" Thinking "));

    [Fact]
    public void Order_puts_canonical_emotions_first_in_canonical_order() =>
        Assert.Equal(["anger", "happy", "neutral", "bored"], EmotionVocabulary.Order(["bored", "neutral", "happy", "anger"]));

    [Fact]
    public void Ckplus_and_fer_share_names_after_loading()
    {
        var ck = DatasetLoader.Load(TestData.CkPlusZip);
        Assert.Equal(["anger", "disgust", "fear", "happy", "sadness", "surprise", "contempt"], ck.ClassNames);
    }
}

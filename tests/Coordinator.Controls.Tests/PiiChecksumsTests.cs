using Coordinator.Controls.Pii;

namespace Coordinator.Controls.Tests;

public sealed class PiiChecksumsTests
{
    [Theory]
    [InlineData("GB82WEST12345698765432")]
    [InlineData("DE89370400440532013000")]
    [InlineData("IT60X0542811101000000123456")]
    [InlineData("FR1420041010050500013M02606")]
    [InlineData("NL91ABNA0417164300")]
    public void IsValidIban_PublishedExample_True(string iban) => Assert.True(PiiChecksums.IsValidIban(iban));

    [Theory]
    [InlineData("GB83WEST12345698765432")]          // check digits off by one
    [InlineData("DE89370400440532013001")]          // one BBAN digit changed
    [InlineData("IT60X054281110100000012345")]      // one character short for Italy
    [InlineData("XX89370400440532013000")]          // no such country
    public void IsValidIban_WrongCheckOrLength_False(string iban) => Assert.False(PiiChecksums.IsValidIban(iban));

    [Theory]
    [InlineData("4111111111111111")]
    [InlineData("5555555555554444")]
    [InlineData("378282246310005")]
    [InlineData("6011111111111117")]
    [InlineData("2223003122003222")]
    public void IsLuhnValid_PublishedTestCard_TrueWithKnownIssuer(string card)
    {
        Assert.True(PiiChecksums.IsLuhnValid(card));
        Assert.True(PiiChecksums.HasKnownIssuer(card));
    }

    [Theory]
    [InlineData("4111111111111112")]
    [InlineData("5555555555554445")]
    [InlineData("378282246310006")]
    public void IsLuhnValid_OneDigitChanged_False(string card) => Assert.False(PiiChecksums.IsLuhnValid(card));

    [Theory]
    [InlineData("9111111111111111")] // Luhn would not save an unknown prefix
    [InlineData("411111111111111")]  // Visa has no 15-digit cards
    public void HasKnownIssuer_UnknownPrefixOrLength_False(string card) => Assert.False(PiiChecksums.HasKnownIssuer(card));

    [Fact]
    public void FiscalCodeCheck_RossiMario_IsS() => Assert.Equal('S', PiiChecksums.FiscalCodeCheck("RSSMRA85T10A562"));

    [Theory]
    [InlineData("RSSMRA85T10A562S")]
    [InlineData("RSSMRA85T10A56NH")] // omocodia: the last digit of the town written as a letter, the check recomputed
    [InlineData("BNCGLI90A41F205H")] // a woman: day + 40 (check computed separately, with the odd/even tables in Python)
    public void IsValidFiscalCode_ComputedCheck_True(string code) => Assert.True(PiiChecksums.IsValidFiscalCode(code));

    [Theory]
    [InlineData("RSSMRA85T10A562T")] // wrong check character
    [InlineData("RSSMRA85Z10A562S")] // no month Z
    [InlineData("RSSMRA85T35A562S")] // no day 35
    public void IsValidFiscalCode_WrongCheckOrDate_False(string code) => Assert.False(PiiChecksums.IsValidFiscalCode(code));
}

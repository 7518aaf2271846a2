using Coordinator.Core.People;
using Xunit;

namespace Coordinator.Core.Tests.People;

public sealed class QuietHoursTests
{
    private static readonly QuietHours Evenings = new(new TimeOnly(20, 0), new TimeOnly(8, 0), Weekends: false);
    private static readonly QuietHours EveningsAndWeekends = Evenings with { Weekends = true };
    private static readonly TimeZoneInfo Rome = Zone("Europe/Rome");
    private static readonly TimeZoneInfo NewYork = Zone("America/New_York");

    private static TimeZoneInfo Zone(string id) =>
        TimeZones.TryFind(id, out var zone) ? zone : throw new InvalidOperationException($"{id} is not installed");

    [Theory]
    [InlineData("2026-06-10T10:00:00+02:00")] // Wednesday morning
    [InlineData("2026-06-10T19:59:00+02:00")] // a minute before the quiet hours
    [InlineData("2026-06-11T08:00:00+02:00")] // the minute they end
    public void DeliveryTime_OutsideQuietHours_IsNow(string now)
    {
        var at = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(at, Evenings.DeliveryTime(at, Rome));
    }

    [Theory]
    [InlineData("2026-06-10T20:00:00+02:00", "2026-06-11T08:00:00+02:00")] // the minute they start: next morning
    [InlineData("2026-06-10T23:30:00+02:00", "2026-06-11T08:00:00+02:00")]
    [InlineData("2026-06-11T03:00:00+02:00", "2026-06-11T08:00:00+02:00")] // after midnight: the same morning
    [InlineData("2026-06-10T19:30:00Z", "2026-06-11T06:00:00Z")] // 21:30 in Rome, given in UTC
    public void DeliveryTime_InsideQuietHours_IsTheirEndInThePersonsZone(string now, string expected)
    {
        var at = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Evenings.DeliveryTime(at, Rome));
    }

    [Fact]
    public void DeliveryTime_AcrossSpringForward_EndsAtEightLocalWhichIsAnHourEarlierInUtc()
    {
        // Saturday 28 March 2026, 21:00 in Rome (UTC+1); the clocks go forward at 02:00 that night.
        var evening = new DateTimeOffset(2026, 3, 28, 21, 0, 0, TimeSpan.FromHours(1));

        var at = Evenings.DeliveryTime(evening, Rome);

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 6, 0, 0, TimeSpan.Zero), at); // 08:00 CEST, not 07:00 UTC
        Assert.Equal(new TimeOnly(8, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Rome).DateTime));
    }

    [Fact]
    public void DeliveryTime_AcrossFallBack_EndsAtEightLocalWhichIsAnHourLaterInUtc()
    {
        // Saturday 24 October 2026, 21:00 in Rome (UTC+2); the clocks go back at 03:00 that night.
        var evening = new DateTimeOffset(2026, 10, 24, 21, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero), Evenings.DeliveryTime(evening, Rome));
    }

    [Fact]
    public void DeliveryTime_EndInsideTheSpringGap_IsTheFirstInstantAfterIt()
    {
        // Quiet 22:00–02:30 in New York; on 8 March 2026 the clocks jump from 02:00 to 03:00, so 02:30 does not exist.
        var quiet = new QuietHours(new TimeOnly(22, 0), new TimeOnly(2, 30), Weekends: false);
        var night = new DateTimeOffset(2026, 3, 7, 23, 0, 0, TimeSpan.FromHours(-5));

        var at = quiet.DeliveryTime(night, NewYork);

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 3, 0, 0, TimeSpan.FromHours(-4)), at);
    }

    [Theory]
    [InlineData("2026-06-12T21:00:00+02:00")] // Friday evening
    [InlineData("2026-06-13T12:00:00+02:00")] // Saturday noon
    [InlineData("2026-06-14T23:00:00+02:00")] // Sunday night
    [InlineData("2026-06-15T07:00:00+02:00")] // Monday before the end of the night
    public void DeliveryTime_QuietWeekends_WaitUntilMondayMorning(string now)
    {
        var at = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(new DateTimeOffset(2026, 6, 15, 8, 0, 0, TimeSpan.FromHours(2)), EveningsAndWeekends.DeliveryTime(at, Rome));
    }

    [Fact]
    public void DeliveryTime_WeekendsOnly_DeliversAtMondayMidnight()
    {
        var lunch = new QuietHours(new TimeOnly(12, 0), new TimeOnly(13, 0), Weekends: true);
        var saturday = new DateTimeOffset(2026, 6, 13, 9, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 6, 15, 0, 0, 0, TimeSpan.FromHours(2)), lunch.DeliveryTime(saturday, Rome));
    }

    [Fact]
    public void DeliveryTime_DaytimeWindow_EndsTheSameDay()
    {
        var lunch = new QuietHours(new TimeOnly(12, 0), new TimeOnly(14, 0), Weekends: false);
        var noon = new DateTimeOffset(2026, 6, 10, 12, 30, 0, TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 6, 10, 14, 0, 0, TimeSpan.FromHours(2)), lunch.DeliveryTime(noon, Rome));
    }

    [Fact]
    public void DeliveryTime_AnyInstantOfTheYear_IsNeverInsideQuietHoursAndNeverEarlier()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var minutes = 0; minutes < 366 * 24 * 60; minutes += 37)
        {
            var now = start.AddMinutes(minutes);
            var at = EveningsAndWeekends.DeliveryTime(now, Rome);
            Assert.True(at >= now, $"{now:o} -> {at:o}");
            Assert.False(EveningsAndWeekends.Covers(TimeZoneInfo.ConvertTime(at, Rome).DateTime), $"{now:o} -> {at:o} is quiet");
            // The end, not later: a minute earlier was still quiet (unless nothing was to wait for).
            if (at != now)
                Assert.True(EveningsAndWeekends.Covers(TimeZoneInfo.ConvertTime(at.AddMinutes(-1), Rome).DateTime), $"{now:o} -> {at:o} waits too long");
        }
    }
}

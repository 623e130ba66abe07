using Iris.Camera.Storage;

namespace Iris.Camera.Tests.Storage;

/// <summary>
/// Outside review of issue 12 (F3): on ext4 mounted <c>data=journal</c> the shredded file key survives in the
/// journal. The daemon reads its data directory's mount from <c>/proc/self/mountinfo</c> and warns at start.
/// </summary>
public sealed class DataJournalCheckTests
{
    private const string MountInfo = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
        40 22 7:0 / /var/lib/iris rw,relatime shared:20 - ext4 /dev/loop0 rw,data=journal
        41 22 7:1 / /var/lib/iris-ordered rw,relatime shared:21 - ext4 /dev/loop1 rw,data=ordered
        42 40 0:50 / /var/lib/iris/tmp rw,nosuid shared:22 - tmpfs tmpfs rw,size=1024k
        """;

    [Theory]
    [InlineData("/var/lib/iris/data", true)]
    [InlineData("/var/lib/iris", true)]
    [InlineData("/var/lib/iris-ordered/data", false)]
    [InlineData("/var/lib/iris/tmp/data", false)]
    [InlineData("/srv/data", false)]
    public void TheMountHoldingTheDirectory_DecidesWhetherFileDataIsJournalled(string directory, bool journalled) =>
        Assert.Equal(journalled, DataJournalCheck.JournalsData(MountInfo, directory));
}

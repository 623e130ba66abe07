// Update install helper for bench/update-install.sh (never shipped):
//   Iris.UpdateBench make-update IMAGE OUT_DIR
//   Iris.UpdateBench install-update OUT_DIR SLOT_IMAGE|/dev/null
// A process of its own with only Iris.Firmware loaded, so its peak memory is the installer's, as it is for the
// reference tools.
using Iris.UpdateBench;

return args switch
{
    ["make-update", var image, var directory] => await UpdateBench.MakeAsync(image, directory),
    ["install-update", var directory, var slot] => await UpdateBench.InstallAsync(directory, slot),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Iris.UpdateBench make-update IMAGE OUT_DIR | install-update OUT_DIR SLOT_IMAGE|/dev/null");
    return 64;
}

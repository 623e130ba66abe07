using System.Buffers.Binary;

namespace Iris.Camera.Rtsp;

/// <summary>
/// The codec configuration inside sample entries: avcC (ISO/IEC 14496-15: profile, NAL length size, SPS and PPS)
/// and esds (ISO/IEC 14496-1 descriptors down to the AAC AudioSpecificConfig). Bounds-checked like
/// <see cref="Fmp4Reader"/>: a short or misordered box is a <see cref="FormatException"/>.
/// </summary>
internal static class Fmp4SampleEntries
{
    public static AvcConfig ReadAvcC(ReadOnlySpan<byte> avcC)
    {
        Fmp4Reader.Need(avcC, 7);
        var lengthSize = (avcC[4] & 3) + 1;
        var position = 5;
        var sps = ReadParameterSets(avcC, ref position, avcC[position] & 0x1F, 1);
        Fmp4Reader.Need(avcC, position + 1);
        var pps = ReadParameterSets(avcC, ref position, avcC[position], 1);
        return new AvcConfig(avcC.Slice(1, 3).ToArray(), lengthSize, sps, pps);
    }

    private static List<byte[]> ReadParameterSets(ReadOnlySpan<byte> avcC, ref int position, int count, int countBytes)
    {
        position += countBytes;
        var sets = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            Fmp4Reader.Need(avcC, position + 2);
            var length = BinaryPrimitives.ReadUInt16BigEndian(avcC[position..]);
            Fmp4Reader.Need(avcC, position + 2 + length);
            sets.Add(avcC.Slice(position + 2, length).ToArray());
            position += 2 + length;
        }

        return sets;
    }

    /// <summary>esds: ES_Descriptor (3) > DecoderConfigDescriptor (4) > DecoderSpecificInfo (5) = AudioSpecificConfig.</summary>
    public static byte[] ReadAudioSpecificConfig(ReadOnlySpan<byte> esds)
    {
        var position = 4;
        Descriptor(esds, ref position, 0x03);
        Fmp4Reader.Need(esds, position + 3);
        var esFlags = esds[position + 2];
        position += 3 + ((esFlags & 0x80) != 0 ? 2 : 0);
        if ((esFlags & 0x40) != 0)
        {
            Fmp4Reader.Need(esds, position + 1);
            position += 1 + esds[position];
        }

        position += (esFlags & 0x20) != 0 ? 2 : 0;
        Descriptor(esds, ref position, 0x04);
        position += 13;
        var length = Descriptor(esds, ref position, 0x05);
        Fmp4Reader.Need(esds, position + length);
        return esds.Slice(position, length).ToArray();
    }

    private static int Descriptor(ReadOnlySpan<byte> data, ref int position, byte tag)
    {
        Fmp4Reader.Need(data, position + 2);
        if (data[position++] != tag)
        {
            throw new FormatException("esds descriptors are not in the expected order.");
        }

        var length = 0;
        for (var i = 0; i < 4; i++)
        {
            Fmp4Reader.Need(data, position + 1);
            var b = data[position++];
            length = (length << 7) | (b & 0x7F);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return length;
    }
}

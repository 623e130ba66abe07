using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Media;

/// <summary>
/// JSON metadata of the media endpoints and of the stored video, motion and recording settings, generated at build
/// time (issue 18). Web defaults: the stored settings keep the format the reflection serializer wrote.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(VideoSettings))]
[JsonSerializable(typeof(VideoSettingsView))]
[JsonSerializable(typeof(MotionSettings))]
[JsonSerializable(typeof(IReadOnlyList<MotionEvent>))]
[JsonSerializable(typeof(List<MotionEvent>))]
[JsonSerializable(typeof(PrivacyRequest))]
[JsonSerializable(typeof(PrivacyState))]
[JsonSerializable(typeof(RecordingSettings))]
[JsonSerializable(typeof(RecordingOverviewView))]
[JsonSerializable(typeof(IReadOnlyList<RecordingSegment>))]
[JsonSerializable(typeof(List<RecordingSegment>))]
[JsonSerializable(typeof(DeletedRecordings))]
[JsonSerializable(typeof(TimelineView))]
internal sealed partial class MediaJson : JsonSerializerContext;

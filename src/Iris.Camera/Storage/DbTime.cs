using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Storage;

/// <summary>
/// How every table stores a time: ISO 8601 in UTC ("O" format), which sorts as text in time order. One place
/// writes and parses it, so no two modules can disagree.
/// </summary>
internal static class DbTime
{
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>The time in a column, or null when the column is NULL.</summary>
    public static DateTimeOffset? ReadNullable(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Parse(reader.GetString(ordinal));

    public static DateTimeOffset Read(SqliteDataReader reader, int ordinal) => Parse(reader.GetString(ordinal));
}

/// <summary>Small helpers for reading rows, so each store states its SELECT once and maps it in one function.</summary>
internal static class DbRows
{
    /// <summary>Runs a query and maps every row; parameters are (name, value) with null stored as NULL.</summary>
    public static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static int Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteScalar();
    }

    public static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

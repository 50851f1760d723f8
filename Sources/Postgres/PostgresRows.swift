import CLibPQ

/// The complete result of one statement: its rows (in binary format) and its command tag.
///
/// ```swift
/// let rows = try await connection.query("SELECT id, name FROM items WHERE price < $1", maxPrice)
/// for row in rows {
///     let id = try row.decode(Int64.self, column: "id")
/// }
/// ```
public final class PostgresRows: RandomAccessCollection, @unchecked Sendable {
    // @unchecked: the PGresult is never modified after libpq hands it over, and libpq allows
    // reading one result from several threads at once. It is freed only in deinit.
    let result: OpaquePointer
    /// The number of rows.
    public let count: Int
    /// The number of columns.
    public let columnCount: Int

    init(result: OpaquePointer) {
        self.result = result
        self.count = Int(PQntuples(result))
        self.columnCount = Int(PQnfields(result))
    }

    deinit {
        PQclear(result)
    }

    /// Always 0.
    public var startIndex: Int { 0 }
    /// The number of rows.
    public var endIndex: Int { count }

    /// The row at `position`.
    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < count, "row index out of range")
        return PostgresRow(rows: self, index: Int32(position))
    }

    /// Rows inserted, updated, deleted, selected … as reported in the command tag, if the command reports one.
    public var affectedRows: Int? {
        Int(String(cString: PQcmdTuples(result)))
    }

    /// The name of the column at `index`.
    public func columnName(at index: Int) -> String {
        String(cString: PQfname(result, Int32(index)))
    }

    /// The type of the column at `index`.
    public func columnType(at index: Int) -> PostgresDataType {
        PostgresDataType(rawValue: PQftype(result, Int32(index)))
    }

    /// The index of the column named `name` (an exact match first, then libpq's case folding).
    public func columnIndex(named name: String) -> Int? {
        let index = Int(PQfnumber(result, name))
        return index >= 0 ? index : nil
    }
}

/// One row of a ``PostgresRows``; it keeps the whole result alive.
public struct PostgresRow: Sendable {
    /// The result this row belongs to.
    public let rows: PostgresRows
    let index: Int32

    /// Decodes the column named `column`.
    ///
    /// - Throws: ``PostgresError/Code/decoding`` naming the column, its type and `type` when the column is
    ///   missing, NULL for a non-optional type, or of a type `type` cannot read.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, column: String) throws(PostgresError) -> Value {
        guard let position = rows.columnIndex(named: column) else {
            throw PostgresError(.decoding, summary: "no column \"\(column)\" in the result", column: column)
        }
        return try decode(type, at: position)
    }

    /// Decodes the column at position `column` (0-based).
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, at column: Int) throws(PostgresError) -> Value {
        guard column >= 0 && column < rows.columnCount else {
            throw PostgresError(.decoding, summary: "no column \(column) in a result of \(rows.columnCount) columns")
        }
        let result = rows.result
        let field = Int32(column)
        let dataType = PostgresDataType(rawValue: PQftype(result, field))
        if PQgetisnull(result, index, field) == 1 {
            if let null = Value.postgresNull { return null }
            throw decodingError(column: field, dataType: dataType, type: type, problem: "is NULL")
        }
        let bytes = UnsafeRawBufferPointer(
            start: PQgetvalue(result, index, field), count: Int(PQgetlength(result, index, field)))
        guard let value = Value(postgresValue: PostgresValue(type: dataType, bytes: bytes)) else {
            throw decodingError(column: field, dataType: dataType, type: type, problem: "cannot be decoded")
        }
        return value
    }

    /// True if the column at `column` is SQL NULL.
    public func isNull(at column: Int) -> Bool {
        PQgetisnull(rows.result, index, Int32(column)) == 1
    }

    private func decodingError(column: Int32, dataType: PostgresDataType, type: Any.Type, problem: String)
        -> PostgresError
    {
        let name = String(cString: PQfname(rows.result, column))
        return PostgresError(
            .decoding,
            summary: "column \"\(name)\" (\(dataType)) \(problem) as \(type)",
            column: name
        )
    }
}

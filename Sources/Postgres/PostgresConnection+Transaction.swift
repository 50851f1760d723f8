extension PostgresConnection {
    /// Runs `body` inside `BEGIN` … `COMMIT`, rolling back if it throws.
    ///
    /// If a statement inside failed and `body` swallowed the error, the transaction is already aborted:
    /// it is rolled back and this throws instead of pretending to commit. When the rollback itself fails
    /// the connection stays in a transaction, is no longer ``isReusable``, and the pool discards it.
    ///
    /// ```swift
    /// try await connection.withTransaction { connection in
    ///     try await connection.query("UPDATE accounts SET balance = balance - $1 WHERE id = $2", amount, from)
    ///     try await connection.query("UPDATE accounts SET balance = balance + $1 WHERE id = $2", amount, to)
    /// }
    /// ```
    @discardableResult
    public func withTransaction<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await executeScript("BEGIN")
        let result: Result
        do {
            result = try await body(self)
        } catch {
            await rollback()
            throw error
        }
        if isTransactionFailed {
            await rollback()
            throw PostgresError(.server, summary: "the transaction was aborted by an earlier error and rolled back")
        }
        try await executeScript("COMMIT")
        return result
    }

    /// Rolls back, in a fresh task when this one is cancelled (its waits would fail at once).
    private func rollback() async {
        if Task.isCancelled {
            await Task { try? await self.executeScript("ROLLBACK") }.value
        } else {
            try? await executeScript("ROLLBACK")
        }
    }
}

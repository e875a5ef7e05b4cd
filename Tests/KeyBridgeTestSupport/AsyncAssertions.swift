import XCTest

// XCTest's assertions take synchronous autoclosures; these take asynchronous ones, so a test can
// assert on a call to the (async) registration store or service in one line.

/// Asserts that `expression` throws, and hands the error to `handler`.
public func XCTAssertThrowsErrorAsync<T>(
    _ expression: @autoclosure () async throws -> T, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line, _ handler: (_ error: any Error) -> Void = { _ in }
) async {
    do {
        _ = try await expression()
        XCTFail("expected an error. \(message())", file: file, line: line)
    } catch {
        handler(error)
    }
}

/// Asserts that `expression` does not throw.
public func XCTAssertNoThrowAsync<T>(
    _ expression: @autoclosure () async throws -> T, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        _ = try await expression()
    } catch {
        XCTFail("unexpected error \(error). \(message())", file: file, line: line)
    }
}

/// Asserts that two values are equal.
public func XCTAssertEqualAsync<T: Equatable>(
    _ first: @autoclosure () async throws -> T, _ second: @autoclosure () async throws -> T,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let (a, b) = (try await first(), try await second())
        XCTAssertEqual(a, b, message(), file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error). \(message())", file: file, line: line)
    }
}

/// Asserts that a condition holds.
public func XCTAssertTrueAsync(
    _ expression: @autoclosure () async throws -> Bool, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    await XCTAssertEqualAsync(try await expression(), true, message(), file: file, line: line)
}

/// Asserts that a condition does not hold.
public func XCTAssertFalseAsync(
    _ expression: @autoclosure () async throws -> Bool, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    await XCTAssertEqualAsync(try await expression(), false, message(), file: file, line: line)
}

/// Asserts that a value is nil.
public func XCTAssertNilAsync<T>(
    _ expression: @autoclosure () async throws -> T?, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let value = try await expression()
        XCTAssertNil(value, message(), file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error). \(message())", file: file, line: line)
    }
}

/// Asserts that a value is not nil.
public func XCTAssertNotNilAsync<T>(
    _ expression: @autoclosure () async throws -> T?, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let value = try await expression()
        XCTAssertNotNil(value, message(), file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error). \(message())", file: file, line: line)
    }
}

/// The value of `expression`, failing (and throwing) when it is nil.
public func XCTUnwrapAsync<T>(
    _ expression: @autoclosure () async throws -> T?, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async throws -> T {
    let value = try await expression()
    return try XCTUnwrap(value, message(), file: file, line: line)
}

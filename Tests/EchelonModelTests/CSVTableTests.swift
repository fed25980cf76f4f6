import Testing
@testable import EchelonModel

private func parse(_ text: String) -> (CSVTable, [Diagnostic]) {
    var log = DiagnosticLog()
    let table = CSVTable(bytes: Array(text.utf8), file: "t.csv", log: &log)
    return (table, log.diagnostics)
}

@Test func readsPlainRowsWithLineNumbers() {
    let (table, problems) = parse("id,value\na,1\n\nb,2.5\n")
    #expect(problems.isEmpty)
    #expect(table.header == ["id", "value"])
    #expect(table.rowCount == 2)
    #expect(table.text(1, 0) == "b")
    #expect(table.line(of: 0) == 2)
    #expect(table.line(of: 1) == 4)  // the blank line 3 is skipped but counted
}

@Test func acceptsByteOrderMarkCRLFAndQuotedFields() {
    let text = "\u{FEFF}id,name,note\r\n1,\"Smith, John\",\"said \"\"hi\"\"\"\r\n2,plain,\"two\r\nlines\"\r\n3,x,y"
    let (table, problems) = parse(text)
    #expect(problems.isEmpty)
    #expect(table.header == ["id", "name", "note"])
    #expect(table.rowCount == 3)
    #expect(table.text(0, 1) == "Smith, John")
    #expect(table.text(0, 2) == "said \"hi\"")
    #expect(table.text(1, 2) == "two\r\nlines")
    #expect(table.line(of: 2) == 5)  // the quoted line break counts as a line
    #expect(table.text(2, 2) == "y")
}

@Test func reportsShortAndLongRowsAndKeepsGoodOnes() {
    let (table, problems) = parse("a,b,c\n1,2,3\n1,2\n1,2,3,4\n5,6,7\n")
    #expect(table.rowCount == 2)
    #expect(problems.map(\.description) == [
        "t.csv:3: short row: 2 fields where the header has 3",
        "t.csv:4: long row: 4 fields where the header has 3",
    ])
}

@Test func reportsUnterminatedQuoteWithoutHanging() {
    let (table, problems) = parse("a,b\n1,\"open\n2,3\n")
    #expect(table.rowCount == 0)
    #expect(problems.map(\.description) == ["t.csv:2: unterminated quoted field (the quote opens on line 2)"])
}

@Test func reportsEmptyFileAndDuplicateHeader() {
    #expect(parse("").1.map(\.description) == ["t.csv: the file is empty: a header row is required"])
    #expect(parse("a,a\n1,2\n").1.map(\.description) == ["t.csv:1: a: the header names this column twice"])
}

@Test func parsesNumbersExactlyAndRejectsNonFinite() {
    let (table, _) = parse("v\n0.1\n-12.75\n1e-05\n3.0E+2\n12345678901234567890\nnan\ninf\nabc\n-0\n 7 \n")
    var log = DiagnosticLog()
    let values = table.rows.map { table.double($0, 0, log: &log) }
    #expect(values[0] == 0.1)
    #expect(values[1] == -12.75)
    #expect(values[2] == 1e-05)
    #expect(values[3] == 300)
    #expect(values[4] == 12345678901234567890.0)
    #expect(values[5] == nil)
    #expect(values[6] == nil)
    #expect(values[7] == nil)
    #expect(values[8] == 0)
    #expect(values[9] == 7)
    #expect(log.diagnostics.map(\.description) == [
        "t.csv:7: v: must be a finite number, got 'nan'",
        "t.csv:8: v: must be a finite number, got 'inf'",
        "t.csv:9: v: 'abc' is not a number",
    ])
}

@Test func fastNumberPathAgreesWithTheCLibrary() {
    // Deterministic sweep over decimals of many shapes: the fast path must give the correctly rounded value.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<20_000 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let mantissa = state >> 20
        let decimals = Int((state >> 8) % 12)
        var digits = String(mantissa % 1_000_000_000_000_000)
        while digits.count <= decimals { digits = "0" + digits }
        let text = decimals == 0 ? digits : String(digits.dropLast(decimals)) + "." + String(digits.suffix(decimals))
        let parsed = Array(text.utf8).withUnsafeBufferPointer { CSVTable.parseDouble($0) }
        #expect(parsed == Double(text), "\(text)")
    }
}

@Test func rangeRulesNameTheRequirement() {
    let (table, _) = parse("share,count\n1.5,2.5\n")
    var log = DiagnosticLog()
    #expect(table.double(0, 0, .fraction, log: &log) == nil)
    #expect(table.int(0, 1, in: 0...23, log: &log) == nil)
    #expect(log.diagnostics.map(\.description) == [
        "t.csv:2: share: must be between 0 and 1, got 1.5",
        "t.csv:2: count: must be a whole number, got 2.5",
    ])
}

import Hutong
import XCTest

final class AmountTests: XCTestCase {
    func testParsesDecimalTextIntoIntegerMinorUnits() throws {
        XCTAssertEqual(try parseAmount(decimal: "23.72", currencyAlpha: "cny"), Money(minor: 2372, currency: "CNY"))
    }

    func testFormatsWithExactlyTheCurrencyExponent() throws {
        XCTAssertEqual(try formatAmount(amount: Money(minor: 5, currency: "CNY")), "0.05")
        XCTAssertEqual(try formatAmount(amount: Money(minor: 1500, currency: "KWD")), "1.500")
    }

    func testRefusesDigitsBeyondTheCurrencyExponentWithAReadableMessage() {
        XCTAssertThrowsError(try parseAmount(decimal: "1.234", currencyAlpha: "CNY")) { error in
            guard case AmountError.TooManyDecimals(let message) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(message, "amount `1.234` has more than 2 decimal places")
        }
    }

    func testRefusesAnUnknownCurrencyNamingIt() {
        XCTAssertThrowsError(try parseAmount(decimal: "1", currencyAlpha: "XXX")) { error in
            guard case AmountError.UnknownCurrency(let message) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(message, "unknown currency `XXX`")
        }
    }
}

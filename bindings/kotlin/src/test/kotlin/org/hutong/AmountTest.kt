package org.hutong

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class AmountTest {
    @Test
    fun `parses decimal text into integer minor units with the canonical currency`() {
        assertEquals(Money(2372L, "CNY"), parseAmount("23.72", "cny"))
    }

    @Test
    fun `parses a zero-exponent currency without a fraction`() {
        assertEquals(Money(1000L, "JPY"), parseAmount("1000", "JPY"))
    }

    @Test
    fun `formats with exactly the currency exponent`() {
        assertEquals("0.05", formatAmount(Money(5L, "CNY")))
        assertEquals("1.500", formatAmount(Money(1500L, "KWD")))
    }

    @Test
    fun `round-trips through parse and format`() {
        assertEquals("23.70", formatAmount(parseAmount("23.7", "CNY")))
    }

    @Test
    fun `refuses digits beyond the currency exponent with a readable message`() {
        val e = assertThrows<AmountException.TooManyDecimals> { parseAmount("1.234", "CNY") }
        assertEquals("amount `1.234` has more than 2 decimal places", e.message)
    }

    @Test
    fun `refuses an unknown currency naming it`() {
        val e = assertThrows<AmountException.UnknownCurrency> { parseAmount("1", "XXX") }
        assertEquals("unknown currency `XXX`", e.message)
    }

    @Test
    fun `refuses text that is not a plain decimal number`() {
        val e = assertThrows<AmountException.NotDecimal> { parseAmount("1,00", "CNY") }
        assertEquals("amount `1,00` is not a plain decimal number", e.message)
    }

    @Test
    fun `refuses a negative amount`() {
        assertThrows<AmountException.Negative> { parseAmount("-1", "CNY") }
    }

    @Test
    fun `refuses an amount beyond 64 bits`() {
        assertThrows<AmountException.Overflow> { parseAmount("99999999999999999999", "CNY") }
    }

    @Test
    fun `every amount failure is catchable as one exception type`() {
        val failures = listOf({ parseAmount("", "CNY") }, { formatAmount(Money(1L, "ZZZ")) })
        for (call in failures) {
            assertThrows<AmountException> { call() }
        }
    }
}

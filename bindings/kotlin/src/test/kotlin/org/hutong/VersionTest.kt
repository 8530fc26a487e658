package org.hutong

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class VersionTest {
    @Test
    fun `reports a semantic version from the loaded library`() {
        assertTrue(Regex("""\d+\.\d+\.\d+.*""").matches(hutongVersion()), hutongVersion())
    }
}

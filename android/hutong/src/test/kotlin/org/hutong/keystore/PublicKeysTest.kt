package org.hutong.keystore

import java.math.BigInteger
import java.security.KeyPairGenerator
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

class PublicKeysTest {
    @Test
    fun `extracts the uncompressed point of a JCA P-256 key`() {
        val kpg = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }
        val pub = kpg.generateKeyPair().public as ECPublicKey
        val sec1 = PublicKeys.sec1FromSpki(pub.encoded)
        assertEquals(65, sec1.size)
        assertEquals(4, sec1[0].toInt())
        assertEquals(pub.w.affineX, BigInteger(1, sec1.copyOfRange(1, 33)))
        assertEquals(pub.w.affineY, BigInteger(1, sec1.copyOfRange(33, 65)))
    }

    @Test
    fun `rejects a key of another curve`() {
        val kpg = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp384r1")) }
        assertFailsWith<IllegalArgumentException> { PublicKeys.sec1FromSpki(kpg.generateKeyPair().public.encoded) }
    }

    @Test
    fun `rejects a P-256 header with a compressed point`() {
        val kpg = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }
        val spki = kpg.generateKeyPair().public.encoded.clone()
        spki[26] = 0x02
        assertFailsWith<IllegalArgumentException> { PublicKeys.sec1FromSpki(spki) }
    }
}

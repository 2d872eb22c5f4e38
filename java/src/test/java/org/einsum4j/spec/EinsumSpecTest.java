package org.einsum4j.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.Einsum4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EinsumSpecTest {

    /** Binds {@code spec} and returns the contraction printed with its symbols (explicit form). */
    private static String bound(String spec, int[]... shapes) {
        return EinsumSpec.parse(spec).bind(shapes).toSpecString();
    }

    private static int[] s(int... d) {
        return d;
    }

    // ------------------------------------------------------------ implicit output

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ij,jk|ij,jk->ik",
        "ba|ba->ab",
        "ij,ij|ij,ij->",
        "ii|ii->",
        "ji|ji->ij",
        "bA,Ac|bA,Ac->bc",
        "aB,bA|aB,bA->ABab",
        "aB,bB|aB,bB->ab",
        "iij|iij->j",
        "a b , b c|ab,bc->ac",
    })
    void implicitOutputIsOnceLabelsInAsciiOrder(String spec, String expected) {
        EinsumSpec p = EinsumSpec.parse(spec);
        assertFalse(p.hasExplicitOutput());
        int[][] shapes = new int[p.numOperands()][];
        for (int k = 0; k < shapes.length; k++) {
            shapes[k] = new int[p.term(k).length];
            java.util.Arrays.fill(shapes[k], 2);
        }
        assertEquals(expected, p.bind(shapes).toSpecString());
    }

    @Test
    void implicitOutputPutsEllipsisDimsFirst() {
        // '...' covers 2 dims; symbols for them are the first unused letters (a, b)
        Contraction c = EinsumSpec.parse("...ij,...jk").bind(s(5, 6, 2, 3), s(6, 3, 4));
        assertEquals("abij,bjk->abik", c.toSpecString());
        assertArrayEquals(new long[] {5, 6, 2, 3, 4}, c.sizes());
        int[] out = c.output();
        long[] outSizes = new long[out.length];
        for (int j = 0; j < out.length; j++) {
            outSizes[j] = c.size(out[j]);
        }
        assertArrayEquals(new long[] {5, 6, 2, 4}, outSizes);
    }

    // ------------------------------------------------------------ explicit output, ellipsis

    @Test
    void explicitOutputWithoutEllipsisSumsEllipsisDims() {
        Contraction c = EinsumSpec.parse("n...i,n...j->nij").bind(s(2, 3, 4, 5), s(2, 3, 4, 6));
        assertEquals("nabi,nabj->nij", c.toSpecString());
        assertEquals(3, c.output().length);
        assertEquals(2, c.size(c.output()[0]));
        assertEquals(5, c.size(c.output()[1]));
        assertEquals(6, c.size(c.output()[2]));
        assertEquals(5, c.numLabels());
    }

    @Test
    void ellipsisInOutputWithoutInputEllipsisIsZeroDims() {
        assertEquals("ij->j", bound("ij->...j", s(2, 3)));
        assertEquals("ab->", bound("ab->...", s(2, 3)));
    }

    @Test
    void ellipsisMayCoverZeroDims() {
        assertEquals("ij->ij", bound("...ij->...ij", s(2, 3)));
        assertEquals("->", bound("...", s()));
    }

    @Test
    void ellipsisDimsAreRightAlignedAndBroadcast() {
        // operand 0 covers (4, 1, 3) with '...', operand 1 covers (5, 3): aligned right -> (4, 5, 3)
        Contraction c = EinsumSpec.parse("...,...->...").bind(s(4, 1, 3), s(5, 3));
        assertEquals("abc,bc->abc", c.toSpecString());
        assertArrayEquals(new long[] {4, 5, 3}, c.sizes());
        assertArrayEquals(s(4, 1, 3), c.shape(0));
    }

    @Test
    void ellipsisInTheMiddleOfATerm() {
        Contraction c = EinsumSpec.parse("i...j->ji...").bind(s(2, 7, 8, 3));
        assertEquals("iabj->jiab", c.toSpecString());
    }

    @Test
    void ellipsisSymbolsAvoidLettersUsedAnywhere() {
        assertEquals("cab->abc", bound("...ab->ab...", s(4, 2, 3)));
        assertEquals("abc->bc", bound("a...->...", s(2, 3, 4)));
    }

    // ------------------------------------------------------------ diagonals, scalars, broadcasting

    @Test
    void repeatedLabelInOneOperandIsADiagonal() {
        Contraction c = EinsumSpec.parse("iij->ij").bind(s(3, 3, 4));
        assertArrayEquals(s(0, 0, 1), c.input(0));
        assertEquals(2, c.numLabels());
    }

    @Test
    void emptyTermsAreScalars() {
        EinsumSpec p = EinsumSpec.parse(",ab,->ab");
        assertEquals(3, p.numOperands());
        Contraction c = p.bind(s(), s(2, 3), s());
        assertEquals(",ab,->ab", c.toSpecString());
        assertEquals(0, c.input(0).length);
        assertEquals("->", bound("", s()));
        assertEquals(",->", bound(",", s(), s()));
    }

    @Test
    void labelsBroadcastFromSizeOne() {
        Contraction c = EinsumSpec.parse("ij,jk->ik").bind(s(2, 1), s(5, 3));
        assertEquals(5, c.size(c.input(0)[1]));
        assertArrayEquals(s(2, 1), c.shape(0));
        // size 1 broadcasts to size 0 too
        Contraction z = EinsumSpec.parse("i,i->i").bind(s(1), s(0));
        assertEquals(0, z.size(0));
    }

    @Test
    void labelIdsAreDenseInOrderOfFirstAppearance() {
        Contraction c = EinsumSpec.parse("ba,ac->cb").bind(s(2, 3), s(3, 4));
        assertArrayEquals(s(0, 1), c.input(0));
        assertArrayEquals(s(1, 2), c.input(1));
        assertArrayEquals(s(2, 0), c.output());
        assertArrayEquals(new long[] {2, 3, 4}, c.sizes());
        assertEquals("b", c.symbol(0));
    }

    // ------------------------------------------------------------ interleaved form

    @Test
    void sublistsUseGetSymbolNames() {
        Contraction c = EinsumSpec.ofSublists(List.of(s(0, 1), s(1, 2)), s(0, 2)).bind(s(2, 3), s(3, 4));
        assertEquals("ab,bc->ac", c.toSpecString());
        assertEquals("Z", EinsumSpec.symbolOf(51));
        assertEquals(String.valueOf((char) (52 + 140)), EinsumSpec.symbolOf(52));
        assertEquals(new String(Character.toChars(55296 + 2048)), EinsumSpec.symbolOf(55296));
    }

    @Test
    void sublistsLiftThe52LetterLimit() {
        Contraction c = EinsumSpec.ofSublists(List.of(s(100, 7), s(7, 1000)), null).bind(s(2, 3), s(3, 4));
        assertEquals(EinsumSpec.symbolOf(100) + "h," + "h" + EinsumSpec.symbolOf(1000) + "->"
                + EinsumSpec.symbolOf(100) + EinsumSpec.symbolOf(1000), c.toSpecString());
    }

    @Test
    void sublistImplicitOutputIsNumericOrderWithEllipsisFirst() {
        EinsumSpec p = EinsumSpec.ofSublists(List.of(s(EinsumSpec.ELLIPSIS, 30, 2), s(2, 5)), null);
        assertArrayEquals(s(EinsumSpec.ELLIPSIS, 5, 30), p.outputTerm());
        Contraction c = p.bind(s(9, 3, 4), s(4, 6));
        assertEquals("aEc,cf->afE", c.toSpecString());
    }

    @Test
    void sublistErrorsPointIntoTheWrittenOutForm() {
        EinsumSyntaxException e = assertThrows(EinsumSyntaxException.class,
                () -> EinsumSpec.ofSublists(List.of(s(0, -5)), null));
        assertEquals("[0, -5]", e.spec());
        assertEquals(4, e.position());
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
        EinsumSyntaxException r = assertThrows(EinsumSyntaxException.class,
                () -> EinsumSpec.ofSublists(List.of(s(0, 1)), s(1, 1)));
        assertEquals("[0, 1] -> [1, 1]", r.spec());
        assertEquals(14, r.position());
        assertThrows(EinsumSyntaxException.class, () -> EinsumSpec.ofSublists(List.of(s(0)), s(3)));
        assertThrows(EinsumSyntaxException.class, () -> EinsumSpec.ofSublists(
                List.of(s(EinsumSpec.ELLIPSIS, EinsumSpec.ELLIPSIS)), null));
    }

    // ------------------------------------------------------------ syntax errors

    @ParameterizedTest(name = "{0} -> position {1}")
    @CsvSource(delimiter = '|', value = {
        "ab,b1|4|invalid character '1'",
        "a_b|1|invalid character '_'",
        "a.b|1|lone '.'",
        "a..b|1|'..'",
        "a..|1|'..'",
        "......|3|second '...'",
        "...a...|4|second '...'",
        "....|3|lone '.'",
        "ab->b->a|5|second '->'",
        "ab->a-b|5|'-' in the output",
        "ab-b|2|'-' must be followed by '>'",
        "ab-|2|'-' must be followed by '>'",
        "a>b|1|'>' without '-'",
        "ab->bb|5|output label 'b' repeated",
        "ab->c|4|output label 'c' does not appear",
        "ab->a,b|5|must not contain ','",
        "ab->......|7|second '...'",
        "Ab,aB->A b c|11|output label 'c' does not appear",
    })
    void rejectsBadSyntaxAtThePosition(String spec, int position, String problem) {
        EinsumSyntaxException e = assertThrows(EinsumSyntaxException.class, () -> EinsumSpec.parse(spec));
        assertEquals(position, e.position(), e.getMessage());
        assertEquals(spec, e.spec());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        // the caret line points at the position
        String[] lines = e.getMessage().split("\n");
        assertEquals(position + 2, lines[2].indexOf('^'), e.getMessage());
    }

    // ------------------------------------------------------------ bind errors

    @Test
    void rejectsWrongOperandCountNamingBothCounts() {
        OperandCountException e = assertThrows(OperandCountException.class,
                () -> EinsumSpec.parse("ij,jk->ik").bind(s(2, 3)));
        assertTrue(e.getMessage().contains("2 input terms") && e.getMessage().contains("1 operand"), e.getMessage());
    }

    @Test
    void rejectsRankThatDoesNotMatchTheTerm() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> EinsumSpec.parse("ij,jk->ik").bind(s(2, 3), s(3, 4, 5)));
        assertTrue(e.getMessage().contains("operand 1") && e.getMessage().contains("(3, 4, 5)")
                && e.getMessage().contains("'jk'"), e.getMessage());
        ShapeMismatchException f = assertThrows(ShapeMismatchException.class,
                () -> EinsumSpec.parse("...ijk").bind(s(2, 3)));
        assertTrue(f.getMessage().contains("operand 0") && f.getMessage().contains("(2, 3)")
                && f.getMessage().contains("'...ijk'") && f.getMessage().contains("at least 3"), f.getMessage());
    }

    @Test
    void rejectsLabelWithTwoSizesNamingLabelOperandsAndSizes() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> EinsumSpec.parse("ij,jk->ik").bind(s(2, 3), s(4, 5)));
        String m = e.getMessage();
        assertTrue(m.contains("'j'") && m.contains("operand 0") && m.contains("operand 1") && m.contains("size 3")
                && m.contains("size 4"), m);
        // size 0 does not broadcast against 3
        assertThrows(ShapeMismatchException.class, () -> EinsumSpec.parse("i,i").bind(s(0), s(3)));
    }

    @Test
    void rejectsDiagonalWithUnequalSizes() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> EinsumSpec.parse("ii->i").bind(s(1, 3)));
        assertTrue(e.getMessage().contains("'i'") && e.getMessage().contains("operand 0")
                && e.getMessage().contains("1") && e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void rejectsEllipsisDimsThatDoNotBroadcast() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> EinsumSpec.parse("...i,...i").bind(s(2, 3, 4), s(5, 3, 4)));
        assertTrue(e.getMessage().contains("'...'") && e.getMessage().contains("size 2")
                && e.getMessage().contains("size 5"), e.getMessage());
    }

    @Test
    void rejectsNegativeSizesBeforeAnyWork() {
        assertThrows(Einsum4jException.class, () -> EinsumSpec.parse("ij").bind(s(2, -1)));
    }
}

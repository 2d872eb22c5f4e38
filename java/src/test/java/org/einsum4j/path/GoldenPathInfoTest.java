package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.einsum4j.ContractOptions;
import org.einsum4j.spec.Contraction;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** PathInfo's printed table against golden/einsum/pathinfo_examples.txt, character for character. */
class GoldenPathInfoTest {
    record Example(String title, String spec, String shapes, String optimize, String path, String table) {
    }

    static List<Example> examples() throws IOException {
        String text;
        try (InputStream in = GoldenPathInfoTest.class.getResourceAsStream("/golden/einsum/pathinfo_examples.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Example> out = new ArrayList<>();
        Pattern head = Pattern.compile("contract_path\\('([^']*)', shapes=[\\[(](.*)[\\])], optimize='([^']*)'\\)");
        for (String block : text.split("(?m)^### ")) {
            if (block.isBlank()) {
                continue;
            }
            String[] lines = block.split("\n", -1);
            Matcher m = head.matcher(lines[0]);
            assertTrue(m.find(), lines[0]);
            String path = lines[1].substring("path = ".length());
            List<String> table = new ArrayList<>();
            for (int k = 2; k < lines.length; k++) {
                if (lines[k].isEmpty()) {
                    break;
                }
                table.add(lines[k]);
            }
            out.add(new Example(lines[0], m.group(1), m.group(2), m.group(3), path, String.join("\n", table)));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> tablesMatchOptEinsumCharacterForCharacter() throws IOException {
        List<Example> ex = examples();
        assertEquals(3, ex.size());
        return ex.stream().map(e -> DynamicTest.dynamicTest(e.title(), () -> {
            Contraction c = Nets.bind(e.spec(), e.shapes());
            PathInfo info = Planner.plan(c, ContractOptions.defaults().withOptimize(e.optimize()));
            assertEquals(e.path(), Paths.format(info.path()));
            assertEquals(e.table(), info.toString());
        }));
    }

    @Test
    void printedLengthMatchesOptEinsumsTestPrinting() {
        // expected_helpers.tsv: len(str(PathInfo)) for 'bbd,bda,fc,db->acf' with default dims is 728
        Contraction c = Nets.bind("bbd,bda,fc,db->acf", "(3,3,5),(3,5,2),(3,4),(5,3)");
        assertEquals(728, Planner.plan(c, ContractOptions.defaults()).toString().length());
    }

    @Test
    void scientificFormatIsPythonDecimals() {
        assertEquals("1.200e+2", PathInfo.sci(new java.math.BigDecimal(120)));
        assertEquals("0.000e+3", PathInfo.sci(java.math.BigDecimal.ZERO));
        assertEquals("1.234e+4", PathInfo.sci(new java.math.BigDecimal(12345)));
        assertEquals("1.000e+5", PathInfo.sci(new java.math.BigDecimal(99995)));
        assertEquals("9.998e+4", PathInfo.sci(new java.math.BigDecimal(99985)));
        assertEquals("1.000e+40", PathInfo.sci(java.math.BigDecimal.TEN.pow(40).add(java.math.BigDecimal.ONE)));
        assertEquals("6.667e-1", PathInfo.sci(new java.math.BigDecimal(2).divide(new java.math.BigDecimal(3),
                new java.math.MathContext(28))));
        assertEquals("1.000e+0", PathInfo.sci(java.math.BigDecimal.ONE));
    }
}

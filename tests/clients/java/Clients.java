// pgjdbc (libpostgresql-jdbc-java) against one target: tests/clients/jdbc.sh. Connection
// parameters come from the environment client_run sets. Prints "ok <step>" per step, or
// "FAIL <step>: <what>" and exits 1.
import java.math.BigDecimal;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.postgresql.PGStatement;
import org.postgresql.util.PGobject;

public class Clients {
    static final String TABLE = System.getenv("MX_TABLE");
    static final int REPEAT = 12; // prepareThreshold is 5: named statements, binary, from the 5th
    static final String COLS = "id, t, i2, i4, i8, n, f8, b, nul, u, by, ts, uu, j, big";
    static final String INSERT = "INSERT INTO " + TABLE + " (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static final String SELECT = "SELECT " + COLS + " FROM " + TABLE + " WHERE id = ?";
    static final String UNI = "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \ud83d\udc1c";
    static final String JSON = "{\"a\": [1, 2, {\"b\": null}], \"c\": \"\u00fc\", \"d\": 1.5}";
    static final BigDecimal NUM = new BigDecimal("-1234567890.12345");
    static final OffsetDateTime TS = OffsetDateTime.of(2024, 2, 29, 12, 34, 56, 789000000, ZoneOffset.UTC);
    static final UUID UU = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    static final String BIG;
    static final byte[] BYTES = new byte[259];
    static {
        StringBuilder sb = new StringBuilder(1 << 20);
        for (int k = 0; k < 1024; k++)
            for (int i = 0; i < 1024; i++) sb.append((char) ('a' + i % 26));
        BIG = sb.toString();
        for (int i = 0; i < 256; i++) BYTES[i] = (byte) i;
        BYTES[256] = 0;
        BYTES[257] = '\\';
        BYTES[258] = '\'';
    }

    static String step = "start";

    static void fail(String what) {
        throw new AssertionError(what);
    }

    static void eq(Object want, Object got, String what) {
        if (want == null ? got != null : !want.equals(got))
            fail(what + ": got " + abbrev(got) + ", want " + abbrev(want));
    }

    static String abbrev(Object o) {
        String s = String.valueOf(o);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    static void bind(PreparedStatement ps, int id) throws SQLException {
        PGobject j = new PGobject();
        j.setType("json");
        j.setValue(JSON);
        ps.setInt(1, id);
        ps.setString(2, "plain text " + id);
        ps.setShort(3, (short) -32768);
        ps.setInt(4, 2147483647);
        ps.setLong(5, 9007199254740993L);
        ps.setBigDecimal(6, NUM);
        ps.setDouble(7, 0.1);
        ps.setBoolean(8, true);
        ps.setNull(9, Types.VARCHAR);
        ps.setString(10, UNI);
        ps.setBytes(11, BYTES);
        ps.setObject(12, TS);
        ps.setObject(13, UU);
        ps.setObject(14, j);
        ps.setString(15, BIG);
    }

    static void checkRow(ResultSet rs, int id) throws SQLException {
        if (!rs.next()) fail("no row with id " + id);
        eq(id, rs.getInt("id"), "id");
        eq("plain text " + id, rs.getString("t"), "t");
        eq((short) -32768, rs.getShort("i2"), "i2");
        eq(2147483647, rs.getInt("i4"), "i4");
        eq(9007199254740993L, rs.getLong("i8"), "i8");
        if (NUM.compareTo(rs.getBigDecimal("n")) != 0) fail("n: got " + rs.getBigDecimal("n") + ", want " + NUM);
        eq(0.1, rs.getDouble("f8"), "f8");
        eq(true, rs.getBoolean("b"), "b");
        eq(null, rs.getString("nul"), "nul");
        eq(UNI, rs.getString("u"), "u");
        if (!Arrays.equals(BYTES, rs.getBytes("by"))) fail("by: got " + Arrays.toString(rs.getBytes("by")));
        OffsetDateTime ts = rs.getObject("ts", OffsetDateTime.class);
        if (ts == null || !ts.isEqual(TS)) fail("ts: got " + ts + ", want " + TS);
        eq(UU, rs.getObject("uu", UUID.class), "uu");
        eq(JSON.replaceAll("\\s", ""), rs.getString("j").replaceAll("\\s", ""), "j");
        eq(BIG, rs.getString("big"), "big");
        if (rs.next()) fail("more than one row with id " + id);
    }

    static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TABLE)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void expectState(String code, SQLException e) {
        if (!code.equals(e.getSQLState())) fail("expected SQLSTATE " + code + ", got " + e.getSQLState() + ": " + e.getMessage());
    }

    static void ok() {
        System.out.println("ok " + step);
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (Throwable e) {
            String state = e instanceof SQLException ? " [" + ((SQLException) e).getSQLState() + "]" : "";
            System.out.println("FAIL " + step + ": " + e.getClass().getSimpleName() + state + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    static void run() throws Exception {
        step = "connect with SCRAM";
        String url = "jdbc:postgresql://" + System.getenv("MX_HOST") + ":" + System.getenv("MX_PORT") + "/" + System.getenv("MX_DBNAME");
        Properties p = new Properties();
        p.setProperty("user", System.getenv("MX_USER"));
        p.setProperty("password", System.getenv("MX_PASSWORD"));
        p.setProperty("prepareThreshold", "5");
        p.setProperty("binaryTransfer", "true");
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "60");
        Connection c = DriverManager.getConnection(url, p);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
            eq(1, rs.getInt(1), "SELECT 1");
        }
        ok();

        step = "create table";
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + TABLE);
            st.execute("CREATE TABLE " + TABLE + " (id integer PRIMARY KEY, t text, i2 smallint, i4 integer, i8 bigint, "
                    + "n numeric, f8 double precision, b boolean, nul text, u text, by bytea, ts timestamptz, uu uuid, j json, big text)");
        }
        ok();

        step = "insert and select with parameters";
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, 1);
            eq(1, ps.executeUpdate(), "rows inserted");
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                checkRow(rs, 1);
            }
        }
        ok();

        step = "transaction rolled back";
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, 2);
            ps.executeUpdate();
        }
        eq(2L, count(c), "rows inside the transaction");
        c.rollback();
        eq(1L, count(c), "rows after rollback");
        c.commit();
        c.setAutoCommit(true);
        ok();

        step = "error then the same connection goes on";
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, 1);
            ps.executeUpdate();
            fail("a duplicate key was inserted");
        } catch (SQLException e) {
            expectState("23505", e);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 / ?")) {
            ps.setInt(1, 0);
            ps.executeQuery();
            fail("1 / 0 succeeded");
        } catch (SQLException e) {
            expectState("22012", e);
        }
        eq(1L, count(c), "query after the errors");
        ok();

        step = "prepared statements re-executed past prepareThreshold (binary)";
        try (PreparedStatement s1 = c.prepareStatement("SELECT i4 - ?, u || ?, n + ?, ts, uu, by FROM " + TABLE + " WHERE id = ?");
                PreparedStatement s2 = c.prepareStatement("SELECT ?::text || 'x', ?::int * 2");
                PreparedStatement s3 = c.prepareStatement(SELECT)) {
            for (int i = 0; i < REPEAT; i++) {
                s1.setInt(1, i);
                s1.setString(2, String.valueOf(i));
                s1.setBigDecimal(3, BigDecimal.valueOf(i));
                s1.setInt(4, 1);
                try (ResultSet rs = s1.executeQuery()) {
                    if (!rs.next()) fail("no row, execution " + i);
                    eq(2147483647 - i, rs.getInt(1), "execution " + i);
                    eq(UNI + i, rs.getString(2), "execution " + i);
                    if (NUM.add(BigDecimal.valueOf(i)).compareTo(rs.getBigDecimal(3)) != 0) fail("n + " + i + ": got " + rs.getBigDecimal(3));
                    if (!rs.getObject(4, OffsetDateTime.class).isEqual(TS)) fail("ts, execution " + i + ": " + rs.getObject(4, OffsetDateTime.class));
                    eq(UU, rs.getObject(5, UUID.class), "uu, execution " + i);
                    if (!Arrays.equals(BYTES, rs.getBytes(6))) fail("by, execution " + i);
                }
                s2.setString(1, "s" + i);
                s2.setInt(2, i);
                try (ResultSet rs = s2.executeQuery()) {
                    rs.next();
                    eq("s" + i + "x", rs.getString(1), "second statement, execution " + i);
                    eq(2 * i, rs.getInt(2), "second statement, execution " + i);
                }
                s3.setInt(1, 1);
                try (ResultSet rs = s3.executeQuery()) {
                    checkRow(rs, 1);
                }
            }
            if (!s1.unwrap(PGStatement.class).isUseServerPrepare()) fail("the statement is not server-prepared after " + REPEAT + " executions");
        }
        ok();

        step = "batch inserts";
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int id = 100; id < 150; id++) {
                bind(ps, id);
                ps.setString(15, "small " + id);
                ps.addBatch();
            }
            int[] n = ps.executeBatch();
            eq(50, n.length, "batch results");
            for (int r : n) if (r != 1 && r != Statement.SUCCESS_NO_INFO) fail("batch update count " + r);
        }
        eq(51L, count(c), "rows after the batch");
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int id : new int[] {200, 201, 100, 202}) {
                bind(ps, id);
                ps.addBatch();
            }
            ps.executeBatch();
            fail("a batch with a duplicate key succeeded");
        } catch (BatchUpdateException e) {
            SQLException next = e.getNextException();
            String state = next != null ? next.getSQLState() : e.getSQLState();
            eq("23505", state, "SQLSTATE of the failed batch");
        }
        long after = count(c);
        if (after != 51 && after != 53) fail("rows after the failed batch (autocommit): " + after);
        ok();

        step = "DatabaseMetaData getTables/getColumns/getPrimaryKeys";
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(null, "public", TABLE, new String[] {"TABLE"})) {
            if (!rs.next()) fail("getTables found no " + TABLE);
            eq(TABLE, rs.getString("TABLE_NAME"), "getTables TABLE_NAME");
            eq("TABLE", rs.getString("TABLE_TYPE"), "getTables TABLE_TYPE");
        }
        List<String> cols = new ArrayList<>();
        List<String> types = new ArrayList<>();
        try (ResultSet rs = md.getColumns(null, "public", TABLE, "%")) {
            while (rs.next()) {
                cols.add(rs.getString("COLUMN_NAME"));
                types.add(rs.getString("TYPE_NAME"));
                if (rs.getString("COLUMN_NAME").equals("id")) eq("NO", rs.getString("IS_NULLABLE"), "id IS_NULLABLE");
            }
        }
        eq(Arrays.asList(COLS.split(", ")), cols, "getColumns COLUMN_NAME");
        eq(Arrays.asList("int4", "text", "int2", "int4", "int8", "numeric", "float8", "bool", "text", "text", "bytea", "timestamptz", "uuid", "json", "text"),
                types, "getColumns TYPE_NAME");
        try (ResultSet rs = md.getPrimaryKeys(null, "public", TABLE)) {
            if (!rs.next()) fail("getPrimaryKeys found nothing");
            eq("id", rs.getString("COLUMN_NAME"), "getPrimaryKeys COLUMN_NAME");
            eq(1, rs.getInt("KEY_SEQ"), "getPrimaryKeys KEY_SEQ");
            if (rs.next()) fail("getPrimaryKeys found a second column " + rs.getString("COLUMN_NAME"));
        }
        ok();

        step = "close";
        c.close();
        ok();
    }
}

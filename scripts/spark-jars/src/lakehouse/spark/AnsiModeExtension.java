package lakehouse.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParameterContext;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * ANSI mode for every statement of the local `spark` target, as on Databricks SQL warehouses.
 *
 * <p>dbt-spark (1.10, `method: session`) sets spark.sql.ansi.enabled=false on the session before
 * each statement it runs (its credentials force it; every cursor applies them). Spark fixes a
 * cast's or an arithmetic operator's ANSI behaviour when it parses the statement, so this
 * extension wraps the session's SQL parser and sets ANSI mode back on just before each parse.
 * A statement's own `SET spark.sql.ansi.enabled = false` still applies to the statements after
 * it until the next parse. Registered with spark.sql.extensions (profiles.yml.example).
 */
public final class AnsiModeExtension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        extensions.injectParser(
                new AbstractFunction2<SparkSession, ParserInterface, ParserInterface>() {
                    @Override
                    public ParserInterface apply(SparkSession session, ParserInterface delegate) {
                        return new AnsiParser(session, delegate);
                    }
                });
        return BoxedUnit.UNIT;
    }

    /** The session's parser, with ANSI mode switched on before every parse. */
    private static final class AnsiParser implements ParserInterface {
        private final SparkSession session;
        private final ParserInterface delegate;

        AnsiParser(SparkSession session, ParserInterface delegate) {
            this.session = session;
            this.delegate = delegate;
        }

        private ParserInterface ansi() {
            session.sessionState().conf().setConfString("spark.sql.ansi.enabled", "true");
            return delegate;
        }

        @Override
        public LogicalPlan parsePlan(String sqlText) throws ParseException {
            return ansi().parsePlan(sqlText);
        }

        @Override
        public LogicalPlan parsePlanWithParameters(String sqlText, ParameterContext context) throws ParseException {
            return ansi().parsePlanWithParameters(sqlText, context);
        }

        @Override
        public Expression parseExpression(String sqlText) throws ParseException {
            return ansi().parseExpression(sqlText);
        }

        @Override
        public TableIdentifier parseTableIdentifier(String sqlText) throws ParseException {
            return delegate.parseTableIdentifier(sqlText);
        }

        @Override
        public FunctionIdentifier parseFunctionIdentifier(String sqlText) throws ParseException {
            return delegate.parseFunctionIdentifier(sqlText);
        }

        @Override
        public Seq<String> parseMultipartIdentifier(String sqlText) throws ParseException {
            return delegate.parseMultipartIdentifier(sqlText);
        }

        @Override
        public LogicalPlan parseQuery(String sqlText) throws ParseException {
            return ansi().parseQuery(sqlText);
        }

        @Override
        public StructType parseRoutineParam(String sqlText) throws ParseException {
            return delegate.parseRoutineParam(sqlText);
        }

        @Override
        public StructType parseTableSchema(String sqlText) throws ParseException {
            return delegate.parseTableSchema(sqlText);
        }

        @Override
        public DataType parseDataType(String sqlText) throws ParseException {
            return delegate.parseDataType(sqlText);
        }
    }
}

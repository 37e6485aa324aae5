/* Tests of src/batch/dashboard: the block between handoff's markers in an
 * issue body is found, replaced or appended with every byte outside it kept,
 * malformed markers are refused, a change of date alone is no change, and
 * OWNER/REPO#N is parsed strictly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/dashboard.h"

#define BEGIN "<!-- handoff:status:begin fleet=odoo -->"
#define END "<!-- handoff:status:end fleet=odoo -->"

/* splice(body, content) must give want. */
static void assert_splice(const char *body, const char *content, const char *want)
{
    hf_buf out = HF_BUF_INIT;
    hf_error err;
    if (hf_dashboard_splice(body, "odoo", content, &out, &err) < 0)
        fail_msg("splice: %s", err.msg);
    assert_string_equal(hf_buf_cstr(&out), want);
    hf_buf_free(&out);
}

/* splice(body) must fail, saying why, and leave out empty. */
static void assert_refused(const char *body, const char *why)
{
    hf_buf out = HF_BUF_INIT;
    hf_error err;
    hf_dashboard_block b;
    assert_int_equal(hf_dashboard_find(body, "odoo", &b, &err), -1);
    assert_false(b.found);
    assert_int_equal(hf_dashboard_splice(body, "odoo", "new\n", &out, &err), -1);
    if (!strstr(err.msg, why))
        fail_msg("error '%s' does not say '%s'", err.msg, why);
    assert_int_equal(out.len, 0);
    hf_buf_free(&out);
}

static void markers_carry_a_safe_fleet_name(void **state)
{
    (void)state;
    hf_buf begin = HF_BUF_INIT, end = HF_BUF_INIT;
    hf_dashboard_markers("odoo", &begin, &end);
    assert_string_equal(begin.ptr, BEGIN);
    assert_string_equal(end.ptr, END);
    /* nothing in a name can close the comment or start another */
    hf_dashboard_markers("my fleet--><b>x</b>", &begin, &end);
    assert_string_equal(begin.ptr, "<!-- handoff:status:begin fleet=my_fleet--__b_x__b_ -->");
    hf_dashboard_markers(NULL, &begin, &end);
    assert_string_equal(end.ptr, "<!-- handoff:status:end fleet=fleet -->");
    hf_buf_free(&begin);
    hf_buf_free(&end);
}

static void finds_the_block(void **state)
{
    (void)state;
    const char *body = "intro\n" BEGIN "\nold\n" END "\noutro";
    hf_dashboard_block b;
    hf_error err;
    assert_int_equal(hf_dashboard_find(body, "odoo", &b, &err), 0);
    assert_true(b.found);
    assert_int_equal(b.start, strlen("intro\n"));
    assert_int_equal(b.inner, strlen("intro\n" BEGIN));
    assert_int_equal(b.inner_end, strlen("intro\n" BEGIN "\nold\n"));
    assert_int_equal(b.end, strlen("intro\n" BEGIN "\nold\n" END));
    assert_int_equal(hf_dashboard_find("no markers at all", "odoo", &b, &err), 0);
    assert_false(b.found);
    assert_int_equal(hf_dashboard_find("", "odoo", &b, &err), 0);
    assert_false(b.found);
    /* another fleet's block is not ours */
    assert_int_equal(hf_dashboard_find("<!-- handoff:status:begin fleet=other -->\nx\n"
                                       "<!-- handoff:status:end fleet=other -->",
                                       "odoo", &b, &err),
                     0);
    assert_false(b.found);
}

static void appends_after_a_blank_line(void **state)
{
    (void)state;
    assert_splice("Hello team", "A\n", "Hello team\n\n" BEGIN "\nA\n" END);
    assert_splice("Hello team\n", "A\n", "Hello team\n\n" BEGIN "\nA\n" END);
    assert_splice("Hello team\n\n", "A\n", "Hello team\n\n" BEGIN "\nA\n" END);
    assert_splice("Hello team\n\n\n", "A\n", "Hello team\n\n\n" BEGIN "\nA\n" END);
    assert_splice("", "A", BEGIN "\nA\n" END);
    /* the web editor's CRLF: the block follows it, the text keeps its bytes */
    assert_splice("Hello\r\nteam", "A\nB\n", "Hello\r\nteam\r\n\r\n" BEGIN "\r\nA\r\nB\r\n" END);
    /* another fleet's block stays where it is */
    assert_splice("<!-- handoff:status:begin fleet=other -->\nx\n"
                  "<!-- handoff:status:end fleet=other -->",
                  "A\n",
                  "<!-- handoff:status:begin fleet=other -->\nx\n"
                  "<!-- handoff:status:end fleet=other -->\n\n" BEGIN "\nA\n" END);
}

static void replaces_only_the_block(void **state)
{
    (void)state;
    const char *around = "  Notes *kept*  \n\n";
    hf_buf body = HF_BUF_INIT, want = HF_BUF_INIT;
    hf_buf_printf(&body, "%s" BEGIN "\nold\nlines\n" END "\n\ttrailing text\xc3\xa9 ", around);
    hf_buf_printf(&want, "%s" BEGIN "\nnew\n" END "\n\ttrailing text\xc3\xa9 ", around);
    assert_splice(body.ptr, "new\n", want.ptr);
    /* a block a person left empty, with markers on one line */
    assert_splice("x " BEGIN END " y", "new\n", "x " BEGIN "\nnew\n" END " y");
    /* CRLF around the block: the text outside keeps its bytes */
    assert_splice("a\r\n" BEGIN "\r\nold\r\n" END "\r\nb\n", "n1\nn2\n",
                  "a\r\n" BEGIN "\r\nn1\r\nn2\r\n" END "\r\nb\n");
    hf_buf_free(&body);
    hf_buf_free(&want);
}

static void refuses_malformed_markers(void **state)
{
    (void)state;
    assert_refused("x\n" BEGIN "\nhalf a block", "has the begin marker " BEGIN " but not its end");
    assert_refused("x\n" END "\n", "has the end marker " END " but not its begin");
    assert_refused(BEGIN "\na\n" END "\n" BEGIN "\nb\n" END,
                   "has the begin marker " BEGIN " twice");
    assert_refused(BEGIN "\na\n" END "\n" END, "has the end marker " END " twice");
    assert_refused(BEGIN "\n" BEGIN "\n" END, "twice");
    assert_refused(END "\nx\n" BEGIN, "has the end marker " END " before its begin");
    assert_refused(BEGIN, "handoff changes nothing until the block is whole again");
}

static void the_date_alone_is_no_change(void **state)
{
    (void)state;
    const char *body = "intro\n" BEGIN "\n### s\n\n_Updated 2026-06-01 by x._\n\n| a |\n" END;
    hf_dashboard_block b;
    hf_error err;
    assert_int_equal(hf_dashboard_find(body, "odoo", &b, &err), 0);
    assert_true(hf_dashboard_same(body, &b, "### s\n\n_Updated 2026-06-02 by x._\n\n| a |\n"));
    assert_false(hf_dashboard_same(body, &b, "### s\n\n_Updated 2026-06-02 by x._\n\n| b |\n"));
    assert_false(hf_dashboard_same(body, &b, "### s\n| a |\n"));
    assert_false(hf_dashboard_same(body, &b, ""));
    /* the same block after the web editor turned its line ends into CRLF */
    const char *crlf = "intro\r\n" BEGIN "\r\n### s\r\n\r\n_Updated 2026-05-01 by x._\r\n\r\n"
                       "| a |\r\n" END;
    assert_int_equal(hf_dashboard_find(crlf, "odoo", &b, &err), 0);
    assert_true(hf_dashboard_same(crlf, &b, "### s\n\n_Updated 2026-06-02 by x._\n\n| a |\n"));
    /* no block: never the same */
    assert_int_equal(hf_dashboard_find("intro", "odoo", &b, &err), 0);
    assert_false(hf_dashboard_same("intro", &b, ""));
    /* an empty block and empty content are the same */
    const char *empty = BEGIN END;
    assert_int_equal(hf_dashboard_find(empty, "odoo", &b, &err), 0);
    assert_true(hf_dashboard_same(empty, &b, ""));
}

static void parses_issue_refs(void **state)
{
    (void)state;
    hf_issue_ref r;
    hf_error err;
    assert_int_equal(hf_issue_ref_parse("acme/ops#12", &r, &err), 0);
    assert_string_equal(r.owner, "acme");
    assert_string_equal(r.repo, "ops");
    assert_int_equal(r.number, 12);
    assert_int_equal(hf_issue_ref_parse("a-b_c/x.y_z-1#1", &r, &err), 0);
    assert_string_equal(r.repo, "x.y_z-1");
    const char *bad[] = {"",
                         "acme/ops",
                         "acme/ops#",
                         "acme/ops#0",
                         "acme/ops#-1",
                         "acme/ops#1x",
                         "acme#1",
                         "/ops#1",
                         "acme/#1",
                         "acme/../x#1",
                         "acme/..#1",
                         "ac me/ops#1",
                         "acme/ops#+1",
                         "acme/ops#99999999999999999999",
                         "acme/o/ps#1",
                         "acme/ops#1#2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (hf_issue_ref_parse(bad[i], &r, &err) != -1)
            fail_msg("'%s' was taken as an issue", bad[i]);
        assert_non_null(strstr(err.msg, "OWNER/REPO#N"));
        assert_int_equal(r.number, 0);
    }
    assert_int_equal(hf_issue_ref_parse(NULL, &r, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(markers_carry_a_safe_fleet_name),
        cmocka_unit_test(finds_the_block),
        cmocka_unit_test(appends_after_a_blank_line),
        cmocka_unit_test(replaces_only_the_block),
        cmocka_unit_test(refuses_malformed_markers),
        cmocka_unit_test(the_date_alone_is_no_change),
        cmocka_unit_test(parses_issue_refs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

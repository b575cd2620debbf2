"""jupyter_kernel_test conformance suite for Tempo.

Run by jupyter-kernel-test.test.mjs, which installs the kernelspec `tempo` into a temporary
JUPYTER_PATH first:  /usr/bin/python3 -m unittest -v jkt_tempo

Tests that skip because an attribute is deliberately left unset:
  - test_pager         (code_page_something): Tempo has no pager payloads (IPython's `?` help);
    inspection (Shift-Tab) is how it shows documentation.
"""

import unittest

import jupyter_kernel_test as jkt
from jupyter_client.manager import KernelManager

TIMEOUT = 15


class TempoKernelTests(jkt.KernelTests):
    kernel_name = "tempo"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("written to stderr")'

    complete_code_samples = [
        "1 + 1",
        "const answer: number = 42;",
        "function double(a: number): number {\n  return a * 2;\n}",
        "interface Point { x: number; y: number }",
        "await Promise.resolve(1)",
    ]
    incomplete_code_samples = [
        "function double(a: number) {",  # open brace
        "const s = `an open template",  # open template literal
        "/* an open block comment",
        "const total = 1 +",  # trailing binary operator
        "if (true) {\n  console.log(1)",
    ]
    invalid_code_samples = [
        "let = ;",
        ")",
        "1 +* 2",
    ]

    # jkt counts exactly one output for a failing cell, the error. Tempo times every cell that ran,
    # so a failed one shows its timing line after the error (issue 16); `%timing off` hides it here.
    code_generate_error = '%timing off\nthrow new Error("boom")'

    # Results are util.inspect() renderings, as Node's REPL prints them.
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"tempo".toUpperCase()', "result": "'TEMPO'"},
        {"code": "[1, 2, 3].map((x: number) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]

    # Completion and inspection come from the TypeScript checker (issue #5).
    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": '"tempo".toUpperC', "matches": {"toUpperCase"}},
    ]
    code_inspect_sample = "Math.floor"
    # jkt asserts the mime type in every display_data of the cell, and the timing line (the
    # cell's last output) is a display_data with text/plain and text/html: samples use those two.
    # Other MIME types are checked in display.test.mjs.
    code_display_data = [
        {"code": 'display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.text("plain")', "mime": "text/plain"},
    ]
    code_clear_output = "clearOutput()"

    supported_history_operations = ("tail", "range", "search")
    # A glob over the whole input (as IPython's history search): matches exactly one sample above.
    code_history_pattern = "1 + *"


class _IopubWelcomeChecks:
    """Used only when the installed jupyter_kernel_test predates IopubWelcomeTests (0.4.5 on
    Debian 12 has none; upstream added it later). Same check as upstream: the first IOPub message a
    fresh client receives is iopub_welcome for its subscription (messaging spec 5.5). Not a
    TestCase itself, so unittest does not collect it with the default kernel."""

    kernel_name = ""
    support_iopub_welcome = False

    @classmethod
    def setUpClass(cls):
        cls.km = KernelManager(kernel_name=cls.kernel_name)
        cls.km.start_kernel()
        cls.kc = cls.km.client()

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def test_recv_iopub_welcome_msg(self):
        if not self.support_iopub_welcome:
            raise unittest.SkipTest("iopub_welcome is not supported")
        self.kc.start_channels()
        # Upstream waits without a deadline; a deadline turns a missing welcome into a failure.
        msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
        self.assertEqual(msg["header"]["msg_type"], "iopub_welcome")
        self.assertEqual(msg["msg_type"], "iopub_welcome")
        # An empty topic: the client subscribed to everything.
        self.assertEqual(msg["content"]["subscription"], "")


_UPSTREAM_WELCOME = getattr(jkt, "IopubWelcomeTests", None)
_WELCOME_BASES = (_UPSTREAM_WELCOME,) if _UPSTREAM_WELCOME else (_IopubWelcomeChecks, unittest.TestCase)


class TempoIopubWelcomeTests(*_WELCOME_BASES):
    kernel_name = "tempo"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()

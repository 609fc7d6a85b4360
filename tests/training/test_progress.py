import io

from app.training.progress import ProgressBar, clock


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_bar_redraws_one_line_with_an_eta():
    out = Terminal()
    bar = ProgressBar(out, width=10)
    bar.draw(0.5, "loss 1.2", elapsed=30)
    bar.draw(0.75, "loss 0.9", elapsed=45)
    assert out.getvalue().count("\r") == 2 and "\n" not in out.getvalue()
    assert out.getvalue().endswith("[########..]  75% loss 0.9 | 0:45 elapsed, 0:15 left")


def test_notes_stay_and_a_log_file_gets_only_notes():
    log = io.StringIO()
    bar = ProgressBar(log)
    bar.draw(0.5, "loss 1.2", elapsed=30)
    bar.note("validation acc 90%")
    assert log.getvalue() == "validation acc 90%\n"


def test_clock():
    assert clock(5) == "0:05" and clock(125) == "2:05" and clock(3725) == "1:02:05"

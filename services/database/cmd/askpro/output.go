package main

import (
	"fmt"
	"io"
)

// The CLI writes its report to stdout (or a test's buffer). A failed write there is nothing an
// operator can act on, so these helpers drop the error in one place instead of at every line.

func writef(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }

func writeln(w io.Writer, args ...any) { _, _ = fmt.Fprintln(w, args...) }

func write(w io.Writer, args ...any) { _, _ = fmt.Fprint(w, args...) }

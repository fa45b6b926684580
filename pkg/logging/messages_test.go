package logging_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// messageStyle is the one style of a log message (STYLE.md): a constant in snake_case. The data
// goes into fields, so a message can be counted and searched for as it is.
var messageStyle = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestLogMessagesAreConstants reads every Go file of the repository and fails on a zerolog
// message that is not a snake_case string literal, and on any Msgf.
func TestLogMessagesAreConstants(t *testing.T) {
	root := repoRoot(t)
	fset := token.NewFileSet()
	var bad []string
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".dev", "testdata", "node_modules", "bin", "vendor":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pos := fset.Position(call.Pos())
			rel, _ := filepath.Rel(root, pos.Filename)
			where := rel + ":" + strconv.Itoa(pos.Line)
			switch sel.Sel.Name {
			case "Msgf":
				bad = append(bad, where+": Msgf (put the data in fields, keep the message constant)")
			case "Msg":
				if !isEventChain(sel.X) || len(call.Args) != 1 {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					bad = append(bad, where+": message is not a string literal")
					return true
				}
				s, _ := strconv.Unquote(lit.Value)
				if !messageStyle.MatchString(s) {
					bad = append(bad, where+": message "+lit.Value+" is not snake_case")
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read only %d Go files under %s; the walk is broken", files, root)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// isEventChain reports whether x is a call, as a zerolog event chain ends in one (Info(),
// Err(err), Str(k, v)). A Msg on anything else, such as a struct field, is not a log message.
func isEventChain(x ast.Expr) bool {
	_, ok := x.(*ast.CallExpr)
	return ok
}

// repoRoot is the folder that holds go.work, above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.work not found above the package")
		}
		dir = parent
	}
}

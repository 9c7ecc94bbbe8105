package desafio

import _ "embed"

var (
	//go:embed contract.pt-BR.txt
	contractPT string
	//go:embed contract.en.txt
	contractEN string
)

// Solution is the reference solution in Flask, app.py: the app the
// grader's tests pass with every check (and whose broken variants fail
// exactly the check each breaks), which the Desafio page shows.
//
//go:embed app.py
var Solution string

// Contract returns what a Desafio app must do, in lang ("pt-BR" or "en"),
// as the Desafio page states it and the grader checks it with its
// defaults: plain text, lines of at most 76 characters, items numbered.
func Contract(lang string) string {
	if lang == "en" {
		return contractEN
	}
	return contractPT
}

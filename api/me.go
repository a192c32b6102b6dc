package api

import (
	"bytes"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// me is the answer of GET /me: who the caller is, the language they chose
// ("" when they follow the browser) and the one this request is answered
// in, so a screen can start in the right language without asking twice.
type me struct {
	Name       string `json:"name"`
	Role       string `json:"role"`
	Lang       string `json:"lang"`
	AnswerLang string `json:"answerLang"`
	// Depot is the depot this daemon keeps, for the screens' heading.
	Depot string `json:"depot"`
}

func (s *server) getMe(c *gin.Context, u *inventory.User) {
	s.writeJSON(c, http.StatusOK, me{Name: u.Name, Role: u.Role, Lang: u.Lang, AnswerLang: string(problem.LangOf(c)), Depot: s.store.Depot()})
}

// languageBody is the body of POST /me/language. Lang is a pointer so a
// body without it is told apart from {"lang":""}, which clears the choice.
type languageBody struct {
	Lang *string `json:"lang"`
}

// decodeLanguage reads a POST /me/language body: {"lang": tag} with tag
// one of en, zh-Hans, zh-Hant, or "" to follow the browser again.
func (s *server) decodeLanguage(body []byte) (i18n.Lang, error) {
	var req languageBody
	if err := s.decodeJSON(bytes.NewReader(body), &req); err != nil {
		return "", err
	}
	if req.Lang == nil {
		return "", apiErr(inventory.CodeInvalid, "lang", "is required: en, zh-Hans, zh-Hant, or \"\" to follow the browser")
	}
	return problem.CheckLang(*req.Lang)
}

// postMyLanguage stores the caller's language; the answer, like every
// answer after it, is in that language (or the browser's when cleared).
func (s *server) postMyLanguage(c *gin.Context, u *inventory.User, body []byte) (int, any, error) {
	l, err := s.decodeLanguage(body)
	if err != nil {
		return 0, nil, err
	}
	if err := s.store.SetUserLang(u.Name, string(l)); err != nil {
		return 0, nil, err
	}
	s.tokens.forget()
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "user language set",
		slog.String("user", u.Name), slog.String("lang", string(l)))
	problem.Prefer(c, l)
	return http.StatusOK, me{Name: u.Name, Role: u.Role, Lang: string(l), AnswerLang: string(problem.LangOf(c)), Depot: s.store.Depot()}, nil
}

package hqapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// Me is the answer of GET /me: who the caller is, the language they chose
// ("" when they follow the browser) and the one this request is answered
// in, so a screen starts in the right language without asking twice.
type Me struct {
	Name       string `json:"name"`
	Role       string `json:"role"`
	Lang       string `json:"lang"`
	AnswerLang string `json:"answerLang"`
}

// meRoutes let every user read who they are and choose their language.
func (s *server) meRoutes(v1 *gin.RouterGroup) {
	v1.GET("/me", s.authed(anyone, func(c *gin.Context) {
		p := who(c)
		c.JSON(http.StatusOK, Me{Name: p.Name, Role: p.Role, Lang: p.Lang, AnswerLang: string(problem.LangOf(c))})
	}))
	v1.POST("/me/language", s.authed(anyone, s.rememberPost(s.postMyLanguage)))
}

// LanguageBody is the body of POST /me/language. Lang is a pointer so a
// body without it is told apart from {"lang":""}, which clears the choice.
type LanguageBody struct {
	Lang *string `json:"lang"`
}

// decodeLanguage reads a POST /me/language body: {"lang": tag} with tag
// one of en, zh-Hans, zh-Hant, or "" to follow the browser again.
func decodeLanguage(body []byte) (i18n.Lang, error) {
	var req LanguageBody
	if err := decodeBytes(body, &req); err != nil {
		return "", err
	}
	if req.Lang == nil {
		return "", bodyErr(inventory.CodeInvalid, "lang", "is required: en, zh-Hans, zh-Hant, or \"\" to follow the browser")
	}
	return problem.CheckLang(*req.Lang)
}

// postMyLanguage stores the caller's language; the answer, like every
// answer after it, is in that language (or the browser's when cleared).
func (s *server) postMyLanguage(c *gin.Context, body []byte) (int, any, error) {
	l, err := decodeLanguage(body)
	if err != nil {
		return 0, nil, err
	}
	p := who(c)
	if err := s.users.SetUserLang(p.Name, string(l)); err != nil {
		return 0, nil, err
	}
	s.tokens.forget()
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "user language set",
		slog.String("user", p.Name), slog.String("lang", string(l)))
	problem.Prefer(c, l)
	return http.StatusOK, Me{Name: p.Name, Role: p.Role, Lang: string(l), AnswerLang: string(problem.LangOf(c))}, nil
}

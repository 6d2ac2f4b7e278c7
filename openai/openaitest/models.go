package openaitest

import (
	"net/http"

	"github.com/reachkit/reachkit/openai"
)

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data := append([]openai.Model(nil), s.models...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, openai.ModelList{Object: "list", Data: data})
}

func (s *Server) findModel(id string) (openai.Model, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.models {
		if m.ID == id {
			return m, true
		}
	}
	return openai.Model{}, false
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) {
	m, ok := s.findModel(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found", "The model '"+r.PathValue("id")+"' does not exist")
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) deleteModel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.models {
		if m.ID == id {
			s.models = append(s.models[:i], s.models[i+1:]...)
			writeJSON(w, http.StatusOK, openai.ModelDeleted{ID: id, Object: "model", Deleted: true})
			return
		}
	}
	writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found", "The model '"+id+"' does not exist")
}

package openaitest

import (
	"net/http"
)

func (s *Server) routes() {
	s.mux.HandleFunc("POST /chat/completions", s.chatCompletions)
	s.mux.HandleFunc("POST /responses", s.createResponse)
	s.mux.HandleFunc("GET /responses/{id}", s.getResponse)
	s.mux.HandleFunc("DELETE /responses/{id}", s.deleteResponse)
	s.mux.HandleFunc("POST /responses/{id}/cancel", s.cancelResponse)
	s.mux.HandleFunc("GET /responses/{id}/input_items", s.listInputItems)
	s.mux.HandleFunc("POST /embeddings", s.embeddings)
	s.mux.HandleFunc("POST /images/generations", s.imagesGenerate)
	s.mux.HandleFunc("POST /images/edits", s.imagesUpload)
	s.mux.HandleFunc("POST /images/variations", s.imagesUpload)
	s.mux.HandleFunc("POST /audio/speech", s.speech)
	s.mux.HandleFunc("POST /audio/transcriptions", s.transcribe)
	s.mux.HandleFunc("POST /audio/translations", s.transcribe)
	s.mux.HandleFunc("POST /moderations", s.moderations)
	s.mux.HandleFunc("GET /models", s.listModels)
	s.mux.HandleFunc("GET /models/{id}", s.getModel)
	s.mux.HandleFunc("DELETE /models/{id}", s.deleteModel)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "Invalid URL ("+r.Method+" /v1"+r.URL.Path+")")
	})
}

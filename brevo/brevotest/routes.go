package brevotest

import "net/http"

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("POST /contacts", s.createContact)
	m.HandleFunc("GET /contacts", s.listContacts)
	m.HandleFunc("GET /contacts/{identifier}", s.getContact)
	m.HandleFunc("PUT /contacts/{identifier}", s.updateContact)
	m.HandleFunc("DELETE /contacts/{identifier}", s.deleteContact)
	m.HandleFunc("POST /contacts/batch", s.batchContacts)
	m.HandleFunc("POST /contacts/import", s.importContacts)

	m.HandleFunc("GET /contacts/attributes", s.listAttributes)
	m.HandleFunc("POST /contacts/attributes/{category}/{name}", s.createAttribute)
	m.HandleFunc("DELETE /contacts/attributes/{category}/{name}", s.deleteAttribute)

	m.HandleFunc("GET /contacts/lists", s.listLists)
	m.HandleFunc("POST /contacts/lists", s.createList)
	m.HandleFunc("GET /contacts/lists/{id}", s.getList)
	m.HandleFunc("DELETE /contacts/lists/{id}", s.deleteList)
	m.HandleFunc("POST /contacts/lists/{id}/contacts/add", s.addToList)
	m.HandleFunc("POST /contacts/lists/{id}/contacts/remove", s.removeFromList)

	m.HandleFunc("GET /contacts/folders", s.listFolders)
	m.HandleFunc("POST /contacts/folders", s.createFolder)

	m.HandleFunc("POST /smtp/email", s.sendEmail)

	m.HandleFunc("POST /emailCampaigns", s.createCampaign)
	m.HandleFunc("GET /emailCampaigns/{id}", s.getCampaign)
	m.HandleFunc("PUT /emailCampaigns/{id}", s.updateCampaign)
	m.HandleFunc("DELETE /emailCampaigns/{id}", s.deleteCampaign)
	m.HandleFunc("POST /emailCampaigns/{id}/sendNow", s.sendCampaign)
	m.HandleFunc("POST /emailCampaigns/{id}/sendTest", s.sendCampaignTest)

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "document_not_found", "brevotest does not serve "+r.Method+" /v3"+r.URL.Path)
	})
}

package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"offduty/store"
	"offduty/ui/export"
)

func exportPath(v string) (string, string, error) {
	p := strings.TrimSpace(v)
	if p == "" {
		return "", "", fmt.Errorf("type a file name")
	}
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	ext := strings.ToLower(filepath.Ext(p))
	if ext != ".pdf" && ext != ".csv" {
		return "", "", fmt.Errorf("name a .pdf or .csv file")
	}
	if st, err := os.Stat(filepath.Dir(p)); err != nil || !st.IsDir() {
		return "", "", fmt.Errorf("no folder %s", filepath.Dir(p))
	}
	return p, ext, nil
}

type exportedMsg struct {
	what string
	err  error
}

func (m *invoicesModel) exportPrompt(inv store.Invoice) tea.Cmd {
	st := m.c.Store
	def := strings.ReplaceAll(invName(inv), " #", "-") + ".pdf"
	m.prompt = newPrompt("Export to", def, "a .pdf (as printed) or .csv (one row per line) file",
		func(v string) (string, error) {
			p, ext, err := exportPath(v)
			if err != nil {
				return "", err
			}
			return strings.ToUpper(ext[1:]) + " → " + p, nil
		},
		func(v string) tea.Cmd {
			p, ext, _ := exportPath(v)
			id := inv.ID
			return func() tea.Msg {
				full, err := st.Invoice(context.Background(), m.c.Actor, id) // with its lines
				if err != nil {
					return exportedMsg{err: err}
				}
				issuer, err := st.InvoiceOffice(context.Background(), id) // the office as issued
				if err != nil {
					return exportedMsg{err: err}
				}
				err = export.WriteNew(p, func(w io.Writer) error {
					if ext == ".csv" {
						return export.InvoiceCSV(w, full)
					}
					return export.InvoicePDF(w, full, issuer)
				})
				return exportedMsg{what: fmt.Sprintf("Exported %s to %s", invName(full), p), err: err}
			}
		})
	return m.prompt.focus()
}

func (m *payrollModel) exportPrompt(p store.Payroll) tea.Cmd {
	def := "payroll-" + p.Start.Format("2006-01-02") + ".csv"
	m.prompt = newPrompt("Export to", def, "a .csv file, one row per paid line",
		func(v string) (string, error) {
			path, ext, err := exportPath(v)
			if err != nil {
				return "", err
			}
			if ext != ".csv" {
				return "", fmt.Errorf("payroll exports as .csv")
			}
			return "CSV → " + path, nil
		},
		func(v string) tea.Cmd {
			path, _, _ := exportPath(v)
			return func() tea.Msg {
				err := export.WriteFile(path, 0o600, func(w io.Writer) error { return export.PayrollCSV(w, p) })
				return exportedMsg{what: fmt.Sprintf("Exported pay period %s to %s (L locks it)", periodLabel(p), path), err: err}
			}
		})
	return m.prompt.focus()
}
